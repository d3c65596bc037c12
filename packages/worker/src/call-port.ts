/**
 * The per-call half of the boundary (#17, a thinner boundary). Comlink sets the session up
 * (init, listeners, close) and hands over one MessagePort; the calls a page makes per
 * request then travel on that port as flat arrays. Through Comlink each call cost a fresh
 * Proxy registered for finalization, a random string id, wire-value wrapping and several
 * promise layers on each side, and moved even a 64-byte answer by transfer.
 *
 *   request  [id, method, ...args]          id: a positive integer chosen by the page
 *   answer   [id, ANSWER_OK, value]  or  [id, ANSWER_THROWN, thrownToWire(error)]
 *
 * Each message is an array of these, one per call or answer of a turn (port-batch.ts).
 */
import { PfsError } from '@pfs-web/errors'
import type { WorkerApi } from './api.ts'
import { batchItems, PortBatch } from './port-batch.ts'
import { thrownToWire, WireError } from './wire.ts'

/** The WorkerApi methods served on the call port: each answers once with plain data. */
export const CALL_METHODS = ['invoke', 'cancel', 'connect', 'getConfig', 'getNearestDc', 'saveFilePart', 'getFile', 'states'] as const
export type CallMethod = (typeof CALL_METHODS)[number]

export const ANSWER_OK = 0
export const ANSWER_THROWN = 1

/**
 * Bytes at least this long are moved, shorter ones copied. Measured in Chromium on 2 cores,
 * a bare worker echo of 512 KiB takes 0.19–0.27 ms moved against 1.5–1.9 ms copied; of 64
 * bytes, 34–46 µs either way. Below this size moving buys nothing measurable, and copying
 * leaves the engine's buffer whole.
 */
export const TRANSFER_MIN_BYTES = 64 * 1024

/** The transfer list for `value`: its buffer when it is a large byte array that owns all of it. */
export function transferListFor(value: unknown): Transferable[] {
  if (!(value instanceof Uint8Array) || value.byteLength < TRANSFER_MIN_BYTES) return []
  const buffer = value.buffer
  // A view into a larger buffer would move (and detach) bytes that are not part of it.
  return buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength ? [buffer] : []
}

type Method = (...args: unknown[]) => Promise<unknown>

function methodOf(api: Readonly<WorkerApi>, name: unknown): Method | null {
  if (typeof name !== 'string' || !(CALL_METHODS as readonly string[]).includes(name)) return null
  return api[name as CallMethod] as Method
}

/** Serves `api`'s CALL_METHODS on `port` until the port closes. */
export function serveCalls(port: MessagePort, api: Readonly<WorkerApi>): void {
  const answers = new PortBatch(port, ([id]) => {
    // Not structured-cloneable: the page must still get an answer, not a hang.
    answers.push([id, ANSWER_THROWN, thrownToWire(new PfsError('UNSERIALIZABLE', 'the answer cannot cross the boundary'))])
  })
  const run = (id: number, name: unknown, args: unknown[]): void => {
    const method = methodOf(api, name)
    let answer: Promise<unknown>
    if (method === null) answer = Promise.reject(new WireError('NOT_EXPOSED', 'only method calls are served'))
    else {
      try {
        answer = Promise.resolve(method(...args))
      } catch (error) {
        answer = Promise.reject(error)
      }
    }
    answer.then(
      (value) => answers.push([id, ANSWER_OK, value], transferListFor(value)),
      (error: unknown) => answers.push([id, ANSWER_THROWN, thrownToWire(error)]),
    )
  }
  port.onmessage = (event: MessageEvent) => {
    for (const [id, name, ...args] of batchItems(event.data)) run(id as number, name, args)
  }
}
