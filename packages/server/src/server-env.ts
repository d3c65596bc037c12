/**
 * Everything with a side effect the server core needs besides its sockets: time, timers
 * and randomness. startServer runs it on the system clock and node:crypto randomness; the
 * simulation (packages/sim) runs the same core on virtual time and a seeded generator, so
 * a seed replays the server's side of a run too.
 */
import { randomBytes, randomFillSync } from 'node:crypto'
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
  random: pooledRandom,
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms)
    return () => clearTimeout(t)
  },
}

const POOL_BYTES = 4096
const pool = new Uint8Array(POOL_BYTES)
let poolAt = POOL_BYTES

/**
 * node:crypto randomness in fresh arrays (callers may keep them or take `.buffer`). A
 * randomBytes call costs about 4 µs whatever its size, and every packet the server seals
 * draws up to four small pieces (padding in the envelope and in padded framing), so small
 * draws come from a 4 KiB block filled at once. Bytes handed out are zeroed in the block.
 */
function pooledRandom(n: number): Uint8Array {
  if (n > POOL_BYTES / 8) return new Uint8Array(randomBytes(n))
  if (poolAt + n > POOL_BYTES) {
    randomFillSync(pool)
    poolAt = 0
  }
  const out = pool.slice(poolAt, poolAt + n)
  pool.fill(0, poolAt, poolAt + n)
  poolAt += n
  return out
}
