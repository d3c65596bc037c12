import { describe, expect, it } from 'vitest'
import { KEEPALIVE, pingsLane, reopensAtOnce, type LaneRole } from './keepalive.ts'

const T = 1_000_000

describe('pingsLane: which traffic lanes get ping_delay_disconnect (mtproto-tl.md; issue #15)', () => {
  it.each<{ rule: string; role: LaneRole; lastCallAt: number | null; owes?: boolean; pinged: boolean }>([
    { rule: 'main: pinged though it never carried a call (updates arrive on it)', role: 'main', lastCallAt: null, pinged: true },
    { rule: 'main: pinged after an hour idle', role: 'main', lastCallAt: T - 3_600_000, pinged: true },
    { rule: 'pool: a call 1 s ago keeps it pinged', role: 'pool', lastCallAt: T - 1_000, pinged: true },
    { rule: 'pool: a call just inside the interval keeps it pinged', role: 'pool', lastCallAt: T - KEEPALIVE.intervalMs + 1, pinged: true },
    { rule: 'pool: idle a whole interval, left for the server to close after 75 s', role: 'pool', lastCallAt: T - KEEPALIVE.intervalMs, pinged: false },
    { rule: 'pool: never used, never pinged', role: 'pool', lastCallAt: null, pinged: false },
    { rule: 'pool: its one call still unanswered after a whole interval keeps it pinged', role: 'pool', lastCallAt: T - 2 * KEEPALIVE.intervalMs, owes: true, pinged: true },
  ])('$rule', ({ role, lastCallAt, owes = false, pinged }) => {
    expect(pingsLane(role, T, lastCallAt, owes)).toBe(pinged)
  })
})

describe('reopensAtOnce: a lane whose socket closed', () => {
  it.each<{ rule: string; role: LaneRole; owes: boolean; now: boolean }>([
    { rule: 'main owing nothing: reopened at once (updates)', role: 'main', owes: false, now: true },
    { rule: 'main owing answers: reopened at once', role: 'main', owes: true, now: true },
    { rule: 'pool owing answers: reopened at once, its calls are resent', role: 'pool', owes: true, now: true },
    { rule: 'idle pool closed by the server: parked until its next call', role: 'pool', owes: false, now: false },
  ])('$rule', ({ role, owes, now }) => {
    expect(reopensAtOnce(role, owes)).toBe(now)
  })
})
