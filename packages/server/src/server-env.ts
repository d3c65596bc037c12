/**
 * Everything with a side effect the server core needs besides its sockets: time, timers
 * and randomness. startServer runs it on the system clock and node:crypto randomness; the
 * simulation (packages/sim) runs the same core on virtual time and a seeded generator, so
 * a seed replays the server's side of a run too.
 */
import { randomBytes } from 'node:crypto'
import { systemClock, type Clock } from './clock.ts'

export type CancelTimer = () => void

export interface ServerEnv {
  /** Server time in seconds (before the clock-offset fault is added). */
  clock: Clock
  /** Monotonic milliseconds, for latency and disconnect timers. */
  nowMs(): number
  random(n: number): Uint8Array
  setTimer(ms: number, fn: () => void): CancelTimer
}

export const systemServerEnv: ServerEnv = {
  clock: systemClock,
  nowMs: () => performance.now(),
  random: (n) => new Uint8Array(randomBytes(n)),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms)
    return () => clearTimeout(t)
  },
}
