/**
 * A Comlink endpoint that records every message crossing the worker boundary, for leak
 * scans. Comlink moves listener calls and their answers over extra MessagePorts sent
 * inside messages, so each such port is replaced by a relay that records its traffic too:
 * nothing reaches the worker or the page without passing through `messages`.
 */
import type { Endpoint } from 'comlink'

export type Direction = 'to-worker' | 'from-worker'

export interface RecordedMessage {
  direction: Direction
  /** 'main' for the worker endpoint, 'port-N' for a relayed port. */
  channel: string
  /** A deep copy taken before the message was posted (transfers detach the original). */
  data: unknown
}

export interface RecordingEndpoint extends Endpoint {
  readonly messages: RecordedMessage[]
  /** Terminates the worker (or closes the port) behind the recorder. */
  terminate(): void
}

/** Structured copy with bytes copied and ports named, so later detaching changes nothing. */
export function copyForRecord(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) return seen.get(value)
  if (value instanceof MessagePort) return '[MessagePort]'
  if (value instanceof ArrayBuffer) return value.slice(0)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice()
  if (Array.isArray(value)) {
    const out: unknown[] = []
    seen.set(value, out)
    for (const item of value) out.push(copyForRecord(item, seen))
    return out
  }
  if (value instanceof Map) return [...value].map(([k, v]) => [copyForRecord(k, seen), copyForRecord(v, seen)])
  if (value instanceof Set) return [...value].map((v) => copyForRecord(v, seen))
  const out: Record<string, unknown> = {}
  seen.set(value, out)
  for (const [k, v] of Object.entries(value)) out[k] = copyForRecord(v, seen)
  return out
}

/** Replaces every MessagePort in `value` (objects and arrays) through `swap`. */
function swapPorts(value: unknown, swap: (port: MessagePort) => MessagePort): unknown {
  if (value instanceof MessagePort) return swap(value)
  if (Array.isArray(value)) return value.map((v) => swapPorts(v, swap))
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value
  if (Object.getPrototypeOf(value) !== Object.prototype) return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swapPorts(v, swap)]))
}

export function recordingEndpoint(target: Worker | MessagePort): RecordingEndpoint {
  const messages: RecordedMessage[] = []
  let relays = 0

  const record = (direction: Direction, channel: string, data: unknown): void => {
    messages.push({ direction, channel, data: copyForRecord(data) })
  }

  /**
   * Bridges `pagePort` (its peer is on the page) and `workerPort` (its peer is in the
   * worker), recording both ways.
   */
  const bridge = (pagePort: MessagePort, workerPort: MessagePort): void => {
    const channel = `port-${++relays}`
    pagePort.addEventListener('message', (event) => {
      record('to-worker', channel, event.data)
      const [data, ports] = relayed(event.data, 'to-worker')
      workerPort.postMessage(data, ports)
    })
    workerPort.addEventListener('message', (event) => {
      record('from-worker', channel, event.data)
      const [data, ports] = relayed(event.data, 'from-worker')
      pagePort.postMessage(data, ports)
    })
    pagePort.start()
    workerPort.start()
  }

  /** The message with each port swapped for the far end of a recording relay. */
  const relayed = (data: unknown, direction: Direction): [unknown, Transferable[]] => {
    const ports: MessagePort[] = []
    const out = swapPorts(data, (port) => {
      const { port1, port2 } = new MessageChannel()
      if (direction === 'to-worker') bridge(port, port1)
      else bridge(port1, port)
      ports.push(port2)
      return port2
    })
    return [out, ports]
  }

  const listeners = new Set<EventListenerOrEventListenerObject>()
  const dispatch = (event: MessageEvent): void => {
    record('from-worker', 'main', event.data)
    const [data] = relayed(event.data, 'from-worker')
    const copy = new MessageEvent('message', { data })
    for (const l of listeners) typeof l === 'function' ? l(copy) : l.handleEvent(copy)
  }

  return {
    messages,
    postMessage(message: unknown, transfer: Transferable[] = []) {
      record('to-worker', 'main', message)
      const [data, ports] = relayed(message, 'to-worker')
      const rest = transfer.filter((t) => !(t instanceof MessagePort))
      target.postMessage(data, [...rest, ...ports])
    },
    addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      if (type !== 'message') return target.addEventListener(type, listener)
      if (listeners.size === 0) target.addEventListener('message', dispatch as EventListener)
      listeners.add(listener)
      if (target instanceof MessagePort) target.start()
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      if (type !== 'message') return target.removeEventListener(type, listener)
      listeners.delete(listener)
      if (listeners.size === 0) target.removeEventListener('message', dispatch as EventListener)
    },
    terminate() {
      if (target instanceof MessagePort) target.close()
      else target.terminate()
    },
  }
}
