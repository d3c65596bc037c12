/**
 * Virtual time for the engine and the fuzz server, in one process (issue #18). Deliveries
 * (socket bytes, opens, closes) and timers are queued here; `runUntil` runs one at a time
 * and, between them, waits until the engine is idle (async-work.ts, pending immediates).
 * When nothing is queued it jumps to the next timer, so a 30 s deadline costs nothing and
 * a run is the same on a fast and a slow machine.
 */
import { anyWorkDone, pendingWork } from './async-work.ts'

interface Timer {
  at: number
  seq: number
  fn: () => void
}

/** Past this many turns with foreign immediates alone pending, they are taken as not ours. */
const IMMEDIATE_PATIENCE = 200

export class VirtualLoop {
  /** Virtual monotonic milliseconds. */
  now = 0
  private seq = 0
  private readonly timers = new Map<number, Timer>()
  private readonly deliveries: (() => void)[] = []
  /** Work run so far (deliveries and timers), for the runner's budget. */
  steps = 0

  constructor(readonly wallBaseMs: number) {}

  wallNow(): number {
    return this.wallBaseMs + this.now
  }

  setTimer(ms: number, fn: () => void): () => void {
    const seq = ++this.seq
    // the engine's own bound (dc/timer-delay) is what the fuzz checks; here a delay is taken as given
    this.timers.set(seq, { at: this.now + Math.max(0, Number.isFinite(ms) ? ms : 0), seq, fn })
    return () => void this.timers.delete(seq)
  }

  /** Queues `fn` to run at the current virtual time, after what is queued already. */
  post(fn: () => void): void {
    this.deliveries.push(fn)
  }

  /** Waits until no tracked work, queued immediate or microtask of the engine is left. */
  async idle(): Promise<void> {
    let foreign = 0
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (pendingWork() > 0) {
        await anyWorkDone()
        foreign = 0
        continue
      }
      const immediates = process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length
      if (immediates === 0 || ++foreign > IMMEDIATE_PATIENCE) return
    }
  }

  /**
   * Runs deliveries and timers until `done()` holds or virtual time would pass `untilMs`.
   * Returns 'done', 'time' (nothing happened before untilMs) or 'stuck' (nothing left to run).
   */
  async runUntil(done: () => boolean, untilMs: number): Promise<'done' | 'time' | 'stuck'> {
    for (;;) {
      await this.idle()
      if (done()) return 'done'
      const next = this.deliveries.shift()
      if (next) {
        this.steps++
        next()
        continue
      }
      const timer = this.nextTimer()
      if (timer === null) return 'stuck'
      if (timer.at > untilMs) {
        this.now = Math.max(this.now, untilMs)
        return 'time'
      }
      this.timers.delete(timer.seq)
      this.now = Math.max(this.now, timer.at)
      this.steps++
      timer.fn()
    }
  }

  /** Drops every delivery and timer (an epoch's end). */
  clear(): void {
    this.timers.clear()
    this.deliveries.length = 0
  }

  get timerCount(): number {
    return this.timers.size
  }

  private nextTimer(): Timer | null {
    let best: Timer | null = null
    for (const t of this.timers.values()) if (best === null || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    return best
  }
}
