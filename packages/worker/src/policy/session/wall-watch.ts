/**
 * Noticing a sleep (a laptop lid, a frozen tab): the wall clock runs on while the monotonic
 * clock and every timer stand still, so the server clock the engine derives from the
 * monotonic one falls behind by the time slept, and a temp key that expired meanwhile
 * looks alive. The gap (wall − monotonic) only moves by NTP's small slews otherwise; a
 * forward jump past `SLEEP_NOTICE_MS` is time that passed unseen. A backward jump is the
 * user setting the clock back: no time passed, the monotonic clock is kept.
 */

export const SLEEP_NOTICE_MS = 2_000

export interface WallWatch {
  /** wall − monotonic (ms) at the last look. */
  readonly gapMs: number
}

export function startWallWatch(wallNowMs: number, monoNowMs: number): WallWatch {
  return { gapMs: wallNowMs - monoNowMs }
}

/** The next watch state and how long the client slept unseen since the last look (0: not at all). */
export function lookAtWall(watch: WallWatch, wallNowMs: number, monoNowMs: number): { watch: WallWatch; sleptMs: number } {
  const gapMs = wallNowMs - monoNowMs
  const moved = gapMs - watch.gapMs
  if (Math.abs(moved) < SLEEP_NOTICE_MS) return { watch, sleptMs: 0 }
  return { watch: { gapMs }, sleptMs: Math.max(0, moved) }
}
