/**
 * What delay a timer may be armed with (issue #18). Pure: the runtime passes its clock.
 *
 * Browsers and Node keep timer delays in a signed 32-bit millisecond count: a longer one
 * fires after ~1 ms instead. A policy asking for a wake-up a year away, re-armed on every
 * firing, then spun the thread (19,141 firings in 25 s). Delays are held at the largest
 * the platform honours, and a named timer that just fired is re-armed no sooner than
 * MIN_REARM_MS after that firing, so no computed delay can spin it.
 */

/** The longest delay setTimeout honours (2^31 − 1 ms, ~24.8 days); a wake-up that early is only re-checked. */
export const MAX_TIMER_MS = 2 ** 31 - 1
/** The least time between two firings of one named timer: at most 50 firings a second. */
export const MIN_REARM_MS = 20

/** `ms` held inside [0, MAX_TIMER_MS]; NaN (a broken computation) waits the longest, never spins. */
export function timerDelay(ms: number): number {
  if (Number.isNaN(ms)) return MAX_TIMER_MS
  return Math.min(Math.max(ms, 0), MAX_TIMER_MS)
}

/** timerDelay, and no sooner than MIN_REARM_MS after the timer last fired (`firedAt`, null: never). */
export function rearmDelay(ms: number, firedAt: number | null, now: number): number {
  const delay = timerDelay(ms)
  if (firedAt === null) return delay
  return Math.max(delay, Math.min(MIN_REARM_MS, firedAt + MIN_REARM_MS - now))
}
