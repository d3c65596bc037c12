import { describe, expect, it } from 'vitest'
import { lookAtWall, startWallWatch } from './wall-watch.ts'

describe('lookAtWall', () => {
  const start = startWallWatch(1_000_000, 500)
  it.each([
    { rule: 'issue #11 sleep: wall +6 h, monotonic +0 → slept 6 h', wall: 1_000_000 + 6 * 3_600_000, mono: 500, slept: 6 * 3_600_000 },
    { rule: 'both clocks ran together → no sleep', wall: 1_060_000, mono: 60_500, slept: 0 },
    { rule: 'NTP slew below the notice threshold → no sleep', wall: 1_061_500, mono: 60_500, slept: 0 },
    { rule: 'the clock set back an hour → no time passed, nothing slept', wall: 1_000_000 - 3_600_000, mono: 500, slept: 0 },
    { rule: 'a 10 s freeze of the monotonic clock → slept 10 s', wall: 1_070_000, mono: 60_500, slept: 10_000 },
  ])('$rule', ({ wall, mono, slept }) => expect(lookAtWall(start, wall, mono).sleptMs).toBe(slept))

  it('a sleep is counted once: the next look from the new gap sees none', () => {
    const first = lookAtWall(start, 1_000_000 + 3_600_000, 500)
    expect(first.sleptMs).toBe(3_600_000)
    expect(lookAtWall(first.watch, 1_000_000 + 3_600_000 + 1_000, 1_500).sleptMs).toBe(0)
  })
})
