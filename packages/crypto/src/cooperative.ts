/**
 * Long maths written once as a generator that pauses at safe points (after each modexp
 * window, each chunk of SQUFOF steps). `runSync` drives it straight through; `runCooperative`
 * drives it in slices of about `sliceMs` and yields to the event loop between slices, so
 * a worker that also serves calls answers them while a handshake computes (issue #6).
 * Both drive the same code, so their results are identical by construction.
 */

/** Resolves once the event loop has had a chance to run other tasks. */
export type YieldToEventLoop = () => Promise<void>

export interface CooperativeOptions {
  /** Compute for about this long before yielding (default 1 ms). */
  sliceMs?: number
  /** How to yield (default `yieldToEventLoop`); tests inject a counting one. */
  yieldNow?: YieldToEventLoop
  /** Monotonic ms (default `performance.now`). */
  now?: () => number
  /**
   * The host's own modular exponentiation, used instead of ours where it is faster (Node's
   * OpenSSL, in the simulation). It runs as one step: nothing yields inside it.
   */
  modPow?: ModPow
}

export type ModPow = (base: bigint, exponent: bigint, modulus: bigint) => bigint

/** A computation that pauses (yields undefined) where it may be interrupted. */
export type Steps<T> = Generator<void, T, void>

export function runSync<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
  }
}

export async function runCooperative<T>(steps: Steps<T>, options: CooperativeOptions = {}): Promise<T> {
  const { sliceMs = 1, yieldNow = yieldToEventLoop, now = () => performance.now() } = options
  let sliceEnd = now() + sliceMs
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
    if (now() >= sliceEnd) {
      await yieldNow().catch((err: unknown) => {
        // a pause that throws stops the maths: throwing into it first runs its finally
        // blocks, which wipe what it drew (dh.ts)
        steps.throw(err)
        throw err
      })
      sliceEnd = now() + sliceMs
    }
  }
}

interface NodeTimers {
  setImmediate?: (callback: () => void) => unknown
}

/**
 * One macrotask turn. Measured in a Chromium dedicated worker computing in 1 ms slices
 * while a message arrives every 2 ms: a MessageChannel round costs 0.015 ms and the
 * message waits p99 2.4 ms; setTimeout(0) is clamped to 4.2 ms per yield (nested more
 * than five deep), stretching the work ~5×; scheduler.yield() resumes ahead of queued
 * tasks, so the message was never handled while the work ran. In Node, setImmediate:
 * a listening MessagePort would keep the process alive.
 */
export const yieldToEventLoop: YieldToEventLoop = (() => {
  const immediate = (globalThis as NodeTimers).setImmediate
  if (typeof immediate === 'function') return () => new Promise<void>((resolve) => void immediate(resolve))
  if (typeof MessageChannel === 'function') {
    let channel: MessageChannel | null = null
    const waiting: (() => void)[] = []
    return () =>
      new Promise<void>((resolve) => {
        if (channel === null) {
          channel = new MessageChannel()
          channel.port1.onmessage = () => waiting.shift()?.()
        }
        waiting.push(resolve)
        channel.port2.postMessage(null)
      })
  }
  return () => new Promise<void>((resolve) => setTimeout(resolve, 0))
})()
