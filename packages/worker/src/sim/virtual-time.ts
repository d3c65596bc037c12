/**
 * Virtual time for the simulation: one clock in milliseconds, and timers that fire only
 * when the run loop advances to them. Time moves only when nothing is runnable: after a
 * timer fires, every promise chain it started runs to quiescence (the simulation's crypto
 * resolves in microtasks, see sync-web-crypto.ts) before the next timer is taken, so a
 * day of rotations takes seconds and the order of events depends on the seed alone.
 */

export type TimerOwner = 'engine' | 'server' | 'net' | 'sim'

interface Timer {
  due: number
  seq: number
  owner: TimerOwner
  fn: () => void
  cancelled: boolean
}

/** One macrotask turn: every microtask queued before it has run when it resolves. */
const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export class VirtualTime {
  private t = 0
  private seq = 0
  private readonly heap: Timer[] = []
  private readonly live = new Map<TimerOwner, number>([
    ['engine', 0],
    ['server', 0],
    ['net', 0],
    ['sim', 0],
  ])
  /** Bumped by every timer set or fired; the run loop waits until it stops moving. */
  activity = 0
  firedCount = 0

  get now(): number {
    return this.t
  }

  /** Timers of `owner` that are armed and not yet fired or cancelled. */
  pending(owner: TimerOwner): number {
    return this.live.get(owner) ?? 0
  }

  setTimer(owner: TimerOwner, ms: number, fn: () => void): () => void {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0
    const timer: Timer = { due: this.t + delay, seq: this.seq++, owner, fn, cancelled: false }
    this.push(timer)
    this.live.set(owner, (this.live.get(owner) ?? 0) + 1)
    this.activity++
    return () => {
      if (timer.cancelled) return
      timer.cancelled = true
      this.live.set(owner, (this.live.get(owner) ?? 0) - 1)
    }
  }

  /** Runs every promise chain to completion without moving time. */
  async settle(): Promise<void> {
    // One macrotask turn drains every microtask chain; more turns only while those chains
    // armed timers or delivered bytes (activity), i.e. someone may have queued a macrotask.
    for (let before = -1; before !== this.activity; ) {
      before = this.activity
      await macrotask()
    }
  }

  /**
   * Fires timers in (due, arming order) until none is due at or before `until`, settling
   * after each; then time stands at `until`. `check` runs after every settled step.
   */
  async runUntil(until: number, check?: () => void): Promise<void> {
    await this.settle()
    for (;;) {
      const next = this.peek()
      if (next === undefined || next.due > until) break
      this.pop()
      if (next.cancelled) continue
      next.cancelled = true
      this.live.set(next.owner, (this.live.get(next.owner) ?? 0) - 1)
      this.t = Math.max(this.t, next.due)
      this.activity++
      this.firedCount++
      next.fn()
      await this.settle()
      check?.()
    }
    this.t = Math.max(this.t, until)
  }

  private peek(): Timer | undefined {
    return this.heap[0]
  }

  private before(x: Timer, y: Timer): boolean {
    return x.due < y.due || (x.due === y.due && x.seq < y.seq)
  }

  private push(timer: Timer): void {
    const h = this.heap
    h.push(timer)
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1
      if (!this.before(h[i] as Timer, h[parent] as Timer)) break
      ;[h[i], h[parent]] = [h[parent] as Timer, h[i] as Timer]
      i = parent
    }
  }

  private pop(): void {
    const h = this.heap
    const last = h.pop()
    if (last === undefined || h.length === 0) return
    h[0] = last
    for (let i = 0; ; ) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && this.before(h[l] as Timer, h[m] as Timer)) m = l
      if (r < h.length && this.before(h[r] as Timer, h[m] as Timer)) m = r
      if (m === i) break
      ;[h[i], h[m]] = [h[m] as Timer, h[i] as Timer]
      i = m
    }
  }
}
