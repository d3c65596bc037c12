import { describe, expect, it } from 'vitest'
import { checkClientMsgId, MsgIdSource, SessionMsgIds } from './msg-id.ts'

const T = 1_700_000_000
const seconds = (id: bigint): number => Number(id) / 2 ** 32

/** Runs a session series over (time, isAnswer) steps. */
function run(steps: [number, boolean][]): bigint[] {
  const ids = new SessionMsgIds()
  return steps.map(([now, answer]) => ids.next(now, answer))
}

describe('server msg_ids (encryption.md §5; issue #13: they follow the server clock)', () => {
  it.each([
    { rule: '§5: an answer is ≡ 1 mod 4', answer: true, want: 1n },
    { rule: '§5: anything else is ≡ 3 mod 4', answer: false, want: 3n },
  ])('$rule, and its time is the clock', ({ answer, want }) => {
    const [id] = run([[T + 0.25, answer]])
    expect(id! & 3n).toBe(want)
    expect(Math.abs(seconds(id!) - (T + 0.25))).toBeLessThan(1e-6)
  })

  it.each([
    { rule: '§5: several messages in one clock tick strictly increase', times: [T, T, T, T, T] },
    { rule: '§5: a clock that stepped back 10 s (inside the 30 s future window) → still increasing', times: [T, T + 1, T - 9, T - 8, T - 9] },
    { rule: '§5: a clock that stepped back exactly 30 s → still increasing', times: [T + 30, T, T] },
  ])('$rule', ({ times }) => {
    const ids = run(times.map((t, i) => [t, i % 2 === 0]))
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true)
    for (const id of ids) expect(seconds(id) - Math.min(...times)).toBeLessThan(31)
  })

  it.each([
    { rule: 'issue #13: +120 s skew cleared → the next id is the clock, not 120 s ahead', ahead: 120 },
    { rule: 'issue #13: +1 day skew cleared → the next id is the clock', ahead: 86_400 },
    { rule: 'issue #13: a step back just past the 30 s window → the clock', ahead: 31 },
  ])('$rule', ({ ahead }) => {
    const [, , back] = run([[T + ahead, true], [T + ahead + 0.5, false], [T + 1, true]])
    expect(Math.abs(seconds(back!) - (T + 1))).toBeLessThan(1e-6)
    expect(back! & 3n).toBe(1n)
  })

  it('unique per session: after a 120 s step back the clock passes through the same times again without repeating an id', () => {
    const steps: [number, boolean][] = []
    // 60 s of traffic, 20 ms apart, at server time T+120…T+180, then the skew is cleared at
    // T+60 and the clock runs through T+120…T+180 again with the same message pattern
    for (let i = 0; i < 3000; i++) steps.push([T + 120 + i * 0.02, i % 3 === 0])
    for (let i = 0; i < 6000; i++) steps.push([T + 60 + i * 0.02, i % 3 === 0])
    const ids = run(steps)
    expect(new Set(ids).size).toBe(ids.length)
    expect(Math.abs(seconds(ids[3000]!) - (T + 60))).toBeLessThan(1e-6)
  })

  it('unique per session across 15 backward steps, and increasing between them', () => {
    const steps: [number, boolean][] = []
    for (let step = 0; step < 16; step++) for (let i = 0; i < 50; i++) steps.push([T + (step % 2) * 100 + i * 0.001, i % 2 === 0])
    const ids = run(steps)
    expect(new Set(ids).size).toBe(ids.length)
    for (let i = 1; i < ids.length; i++) if (i % 50 !== 0) expect(ids[i]! > ids[i - 1]!).toBe(true)
  })

  it('unencrypted (handshake) answers are the clock, backwards too, with no memory', () => {
    const source = new MsgIdSource()
    const a = source.next(T + 120, true)
    const b = source.next(T, true)
    expect(seconds(a)).toBeCloseTo(T + 120, 5)
    expect(seconds(b)).toBeCloseTo(T, 5)
    expect(b & 3n).toBe(1n)
  })

  it('each session gets its own series: a new session does not continue an old one', () => {
    const source = new MsgIdSource()
    const old = source.series()
    old.next(T + 120, true)
    const fresh = source.series().next(T + 100, true)
    expect(seconds(fresh)).toBeCloseTo(T + 100, 5)
  })
})

describe('client msg_id checks (encryption.md §6)', () => {
  const at = (s: number): bigint => BigInt(Math.floor(s * 2 ** 32)) & ~3n
  it.each([
    { rule: '§6 17: more than 30 s in the future', id: at(T + 31), want: 17 },
    { rule: '§6 16: more than 300 s in the past', id: at(T - 301), want: 16 },
    { rule: '§6 18: not divisible by 4', id: at(T) | 1n, want: 18 },
    { rule: 'inside the window', id: at(T + 29), want: null },
  ])('$rule', ({ id, want }) => expect(checkClientMsgId(id, T)).toBe(want))
})
