/**
 * Knowing when the engine has nothing left to do, and making what it does repeatable
 * (issue #18 fuzzer). The virtual loop may only deliver the next message or jump to the next
 * timer when no work of the last step is under way, or a case would depend on how fast this
 * machine is and not replay. Work the event loop does not show (process.getActiveResourcesInfo
 * lists immediates but not thread-pool jobs) is counted here: every WebCrypto call and every
 * read from a DecompressionStream (the engine's gzip_packed). Those jobs also run one at a
 * time, in the order they were asked for, so their results come back in a fixed order; and
 * performance.now (which the engine's cooperative maths reads to decide when to yield)
 * counts calls instead of time. Installed for the length of a fuzz run, then undone.
 */

let pending = 0
let chain: Promise<unknown> = Promise.resolve()
const waiters = new Set<Promise<unknown>>()

/** Runs `start` after every job asked for before it, counted until it settles. */
function track<T>(start: () => Promise<T>): Promise<T> {
  pending++
  const run = chain.then(start)
  const done = run.finally(() => {
    pending--
    waiters.delete(done)
  })
  chain = done.catch(() => undefined)
  waiters.add(done)
  // the caller awaits `done`; the copy kept here must not report a rejection of its own
  done.catch(() => undefined)
  return done
}

/** Jobs asked for and not finished. */
export function pendingWork(): number {
  return pending
}

/** Resolves when any pending job ends (at once when none is pending). */
export function anyWorkDone(): Promise<void> {
  if (waiters.size === 0) return Promise.resolve()
  return Promise.race([...waiters]).then(
    () => undefined,
    () => undefined,
  )
}

const SUBTLE_METHODS = ['encrypt', 'decrypt', 'digest', 'importKey', 'exportKey', 'sign', 'verify', 'deriveBits', 'deriveKey', 'generateKey', 'wrapKey', 'unwrapKey'] as const
/** performance.now advances this much per call while tracking is on (a fixed "work clock"). */
const NOW_STEP_MS = 0.02

/** Installs the tracking; returns what undoes it. */
export function installWorkTracking(): () => void {
  const subtle = globalThis.crypto.subtle as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  const saved = new Map<string, (...args: unknown[]) => Promise<unknown>>()
  for (const name of SUBTLE_METHODS) {
    const original = subtle[name]
    if (typeof original !== 'function') continue
    saved.set(name, original)
    subtle[name] = (...args: unknown[]) => {
      // WebCrypto copies its input when called (the engine wipes its buffers right after);
      // the call itself runs later, so the copy is taken here
      const copies = args.map(snapshot)
      return track(() => original.apply(globalThis.crypto.subtle, copies))
    }
  }
  const Inner = globalThis.DecompressionStream
  class TrackedDecompressionStream {
    readonly writable: WritableStream<BufferSource>
    readonly readable: ReadableStream<Uint8Array>
    constructor(format: CompressionFormat) {
      const inner = new Inner(format)
      this.writable = inner.writable
      const reader = inner.readable.getReader()
      this.readable = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            const { done, value } = await track(() => reader.read())
            if (done) controller.close()
            else controller.enqueue(value)
          },
          cancel: (reason) => track(() => reader.cancel(reason)),
        },
        { highWaterMark: 0 },
      )
    }
  }
  globalThis.DecompressionStream = TrackedDecompressionStream as unknown as typeof DecompressionStream
  const realNow = performance.now
  let ticks = 0
  performance.now = () => (ticks += NOW_STEP_MS)
  return () => {
    // the wrappers are own properties over SubtleCrypto.prototype's methods
    for (const name of saved.keys()) delete subtle[name]
    globalThis.DecompressionStream = Inner
    performance.now = realNow
  }
}

/** A BufferSource copied now; an algorithm object with its buffers copied; anything else as is. */
function snapshot(arg: unknown): unknown {
  if (arg instanceof ArrayBuffer) return arg.slice(0)
  if (ArrayBuffer.isView(arg)) return new Uint8Array(arg.buffer.slice(arg.byteOffset, arg.byteOffset + arg.byteLength))
  if (arg !== null && typeof arg === 'object' && Object.getPrototypeOf(arg) === Object.prototype) {
    return Object.fromEntries(Object.entries(arg).map(([k, v]) => [k, snapshot(v)]))
  }
  return arg
}
