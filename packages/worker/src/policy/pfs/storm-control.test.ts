import { describe, expect, it } from 'vitest'
import { CALM, stepStorm, type HandshakeVerdict, type StormEvent, type StormState } from './storm-control.ts'

const cfg = { windowMs: 60_000, maxPerWindow: 6, baseBackoffMs: 1_000, maxBackoffMs: 60_000, stableAfterMs: 60_000, firstRetryJitterMs: 250 }
const half = () => 0.5

function verdictAfter(events: Array<[number, StormEvent]>, at: number): HandshakeVerdict | null {
  let state: StormState = CALM
  for (const [now, e] of events) state = stepStorm(state, e, now, half, cfg).state
  return stepStorm(state, { type: 'request' }, at, half, cfg).verdict
}

const req = (t: number): [number, StormEvent] => [t, { type: 'request' }]
const fail = (t: number): [number, StormEvent] => [t, { type: 'failed' }]

describe('stepStorm', () => {
  it.each<{ rule: string; events: Array<[number, StormEvent]>; at: number; want: HandshakeVerdict }>([
    { rule: 'pfs §1.7: the first handshake is never delayed', events: [], at: 0, want: { allowed: true, cause: 'planned' } },
    { rule: 'storm: one failure waits only a random spread of 0..250 ms (0.5 → 125 ms)', events: [req(0), fail(100)], at: 200, want: { allowed: false, until: 225, reason: 'backoff' } },
    { rule: 'storm: the spread elapsed → allowed, as a failure-driven start', events: [req(0), fail(100)], at: 225, want: { allowed: true, cause: 'failure' } },
    { rule: 'storm: the 2nd failure in a row waits base/2..base (0.5 → 750 ms)', events: [fail(0), fail(0)], at: 749, want: { allowed: false, until: 750, reason: 'backoff' } },
    { rule: 'storm: backoff doubles per failure after that (3rd: 2 s ceiling → 1.5 s)', events: [fail(0), fail(0), fail(0)], at: 1_499, want: { allowed: false, until: 1_500, reason: 'backoff' } },
    { rule: 'storm: backoff capped at maxBackoffMs', events: Array.from({ length: 20 }, () => fail(0)), at: 1, want: { allowed: false, until: 45_000, reason: 'backoff' } },
    { rule: 'storm: at most 6 failure-driven starts in a sliding minute', events: [fail(0), ...[1, 2, 3, 4, 5, 6].map((i) => req(i * 1000))], at: 10_000, want: { allowed: false, until: 61_000, reason: 'rate-limit' } },
    { rule: 'storm: healthy planned rotations are not capped', events: [0, 1, 2, 3, 4, 5].map((i) => req(i * 1000)), at: 10_000, want: { allowed: true, cause: 'planned' } },
    { rule: 'storm (issue #11): planned starts use no failure budget — 12 rotations of 5 s keys, then a -404: the retry goes after the spread', events: [...Array.from({ length: 12 }, (_, i) => req(i * 5_000)), fail(56_000)], at: 56_125, want: { allowed: true, cause: 'failure' } },
    { rule: 'storm: a bind ends the run of failures: the next renewal is planned again', events: [fail(0), req(1_000), [2_000, { type: 'bound' }]], at: 3_000, want: { allowed: true, cause: 'planned' } },
    { rule: 'storm: the window slides — the oldest start leaves after 60 s', events: [fail(0), ...[1, 2, 3, 4, 5, 6].map((i) => req(i * 1000))], at: 61_001, want: { allowed: true, cause: 'failure' } },
    { rule: 'storm: the stable period counts from the first bind, not the latest rotation', events: [fail(0), fail(0), fail(0), [1_000, { type: 'bound' }], [30_000, { type: 'bound' }], fail(61_000)], at: 61_125, want: { allowed: true, cause: 'failure' } },
    { rule: 'storm: a bind held for 60 s clears the failure count', events: [fail(0), fail(0), fail(0), fail(0), [1_000, { type: 'bound' }], fail(61_000)], at: 61_125, want: { allowed: true, cause: 'failure' } },
    { rule: 'storm: a key bound for 60 s ends the old run even with no handshake asked since: the next failure waits only the spread', events: [fail(0), fail(0), fail(0), [1_000, { type: 'bound' }], fail(3_600_000)], at: 3_600_100, want: { allowed: false, until: 3_600_125, reason: 'backoff' } },
    { rule: 'storm: a failure after a bind cancels the reset', events: [fail(0), fail(0), [1_000, { type: 'bound' }], fail(50_000)], at: 51_000, want: { allowed: false, until: 51_500, reason: 'backoff' } },
  ])('$rule', ({ events, at, want }) => expect(verdictAfter(events, at)).toEqual(want))

  it('issue #11: the window ends exactly when the verdict said, with fractional ms too (no zero-delay loop)', () => {
    const t0 = 1567.19645351721
    let state: StormState = stepStorm(CALM, { type: 'failed' }, 0, half, cfg).state
    for (const t of [t0, t0 + 660, t0 + 2161, t0 + 4686, t0 + 10135, t0 + 19260]) state = stepStorm(state, { type: 'request' }, t, half, cfg).state
    const refused = stepStorm(state, { type: 'request' }, 30_000, half, cfg)
    expect(refused.verdict).toEqual({ allowed: false, until: t0 + 60_000, reason: 'rate-limit' })
    const until = (refused.verdict as { until: number }).until
    expect(stepStorm(refused.state, { type: 'request' }, until, half, cfg).verdict).toEqual({ allowed: true, cause: 'failure' })
  })

  it('rejects a rand() outside [0, 1)', () => expect(() => stepStorm(CALM, { type: 'failed' }, 0, () => 1, cfg)).toThrow(RangeError))

  it('pfs §1.7 storm: a 60 s run of -404 on every key gives ≤ 6 handshakes per minute', () => {
    let seed = 7
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647)
    let state: StormState = CALM
    const starts: number[] = []
    // fake clock in 50 ms steps for 3 minutes; each admitted handshake is answered by -404 after 120 ms
    let pendingFailAt: number | null = null
    for (let now = 0; now <= 180_000; now += 50) {
      if (pendingFailAt !== null && now >= pendingFailAt) {
        state = stepStorm(state, { type: 'failed' }, now, rand, cfg).state
        pendingFailAt = null
      }
      if (pendingFailAt === null) {
        const r = stepStorm(state, { type: 'request' }, now, rand, cfg)
        state = r.state
        if (r.verdict?.allowed === true) {
          if (r.verdict.cause === 'failure') starts.push(now)
          pendingFailAt = now + 120
        } else if (r.verdict?.allowed === false) {
          expect(r.verdict.until).toBeGreaterThan(now)
        }
      }
    }
    for (const t of starts) expect(starts.filter((s) => s >= t && s < t + 60_000).length).toBeLessThanOrEqual(6)
    expect(starts.filter((s) => s < 60_000).length).toBeLessThanOrEqual(6)
    expect(starts.length).toBeGreaterThanOrEqual(6) // it keeps trying, just slowly
  })
})
