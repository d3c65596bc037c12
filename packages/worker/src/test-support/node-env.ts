/**
 * An EngineEnv for Node tests: the `ws` WebSocket (Node 20 has no global one), an
 * in-memory perm-key storage, node:crypto randomness and real timers. Test-only.
 */
import { randomBytes } from 'node:crypto'
import WebSocket from 'ws'
import type { EngineEnv, PermKeyStorage, SocketLike } from '../env.ts'

export function openNodeSocket(url: string): SocketLike {
  const ws = new WebSocket(url, 'binary')
  ws.binaryType = 'arraybuffer'
  const socket: SocketLike = {
    binaryType: 'arraybuffer',
    get readyState() {
      return ws.readyState
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  }
  ws.onopen = (ev) => socket.onopen?.(ev)
  ws.onmessage = (ev) => socket.onmessage?.({ data: ev.data })
  ws.onclose = (ev) => socket.onclose?.({ code: ev.code, reason: ev.reason })
  ws.onerror = (ev) => socket.onerror?.(ev)
  return socket
}

export function memoryPermKeys(): PermKeyStorage & { map: Map<number, Uint8Array>; powers?: Uint8Array } {
  const map = new Map<number, Uint8Array>()
  const keys: PermKeyStorage & { map: Map<number, Uint8Array>; powers?: Uint8Array } = {
    map,
    getDhPowers: async () => keys.powers?.slice(),
    setDhPowers: async (bytes) => void (keys.powers = bytes.slice()),
    get: async (dc) => map.get(dc)?.slice(),
    set: async (dc, key) => void map.set(dc, key.slice()),
    delete: async (dc) => void map.delete(dc),
  }
  return keys
}

export function nodeEnv(permKeys: PermKeyStorage = memoryPermKeys(), openSocket = openNodeSocket): EngineEnv {
  return {
    openSocket,
    permKeys,
    clock: { now: () => performance.now(), wallNow: () => Date.now() },
    random: (n) => new Uint8Array(randomBytes(n)),
    setTimer(ms, fn) {
      // Node's setTimeout holds 0 ms at 1 ms; one macrotask is setImmediate (the call
      // batching of issue #17 waits exactly that)
      if (ms <= 0) {
        const i = setImmediate(fn)
        return () => clearImmediate(i)
      }
      const t = setTimeout(fn, ms)
      return () => clearTimeout(t)
    },
  }
}

/**
 * Wraps a socket opener so a test can rewrite inbound WebSocket messages (to corrupt a
 * packet in flight, for example).
 */
export function tamperingOpener(
  open: (url: string) => SocketLike,
  tamper: (data: Uint8Array) => Uint8Array,
): (url: string) => SocketLike {
  return (url) => {
    const inner = open(url)
    const outer = wrapperOf(inner, (d) => inner.send(d))
    inner.onopen = (e) => outer.onopen?.(e)
    inner.onclose = (e) => outer.onclose?.(e)
    inner.onerror = (e) => outer.onerror?.(e)
    inner.onmessage = (e) => {
      const bytes = e.data instanceof ArrayBuffer ? new Uint8Array(e.data) : (e.data as Uint8Array)
      outer.onmessage?.({ data: tamper(bytes.slice()) })
    }
    return outer
  }
}

/** A SocketLike that reads `inner`'s state and sends through `send`; the caller wires the events. */
export function wrapperOf(inner: SocketLike, send: (data: Uint8Array) => void): SocketLike {
  return {
    get binaryType() {
      return inner.binaryType
    },
    set binaryType(t: string) {
      inner.binaryType = t
    },
    get readyState() {
      return inner.readyState
    },
    send,
    close: (c, r) => inner.close(c, r),
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  }
}
