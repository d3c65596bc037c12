import { describe, expect, it } from 'vitest'
import { MAX_TIMER_MS, MIN_REARM_MS, rearmDelay, timerDelay } from './timer-delay.ts'

describe('timer delays (issue #18: bounded timers)', () => {
  it.each([
    { rule: 'a delay the platform honours is kept', ms: 1_500, want: 1_500 },
    { rule: 'the 2.1·10^12 ms the wedged clock asked for is held at 2^31 − 1', ms: 2.1e12, want: MAX_TIMER_MS },
    { rule: 'exactly 2^31 − 1 is kept', ms: MAX_TIMER_MS, want: MAX_TIMER_MS },
    { rule: 'one past it is held (setTimeout would fire it after 1 ms)', ms: MAX_TIMER_MS + 1, want: MAX_TIMER_MS },
    { rule: 'Infinity is held', ms: Infinity, want: MAX_TIMER_MS },
    { rule: 'a due time in the past fires now', ms: -5_000, want: 0 },
    { rule: 'NaN waits the longest rather than spin', ms: Number.NaN, want: MAX_TIMER_MS },
  ])('$rule', ({ ms, want }) => expect(timerDelay(ms)).toBe(want))

  it.each([
    { rule: 'a timer that never fired is armed as asked', ms: 0, firedAt: null, now: 1_000, want: 0 },
    { rule: 're-armed at once from its own firing → MIN_REARM_MS later', ms: 0, firedAt: 1_000, now: 1_000, want: MIN_REARM_MS },
    { rule: 're-armed 5 ms after firing → the rest of MIN_REARM_MS', ms: 1, firedAt: 1_000, now: 1_005, want: MIN_REARM_MS - 5 },
    { rule: 'a longer delay is kept', ms: 250, firedAt: 1_000, now: 1_000, want: 250 },
    { rule: 'long after its last firing a timer is armed as asked', ms: 0, firedAt: 1_000, now: 5_000, want: 0 },
    { rule: 'a clock that went back never stretches past MIN_REARM_MS', ms: 0, firedAt: 9_000, now: 1_000, want: MIN_REARM_MS },
  ])('$rule', ({ ms, firedAt, now, want }) => expect(rearmDelay(ms, firedAt, now)).toBe(want))
})
