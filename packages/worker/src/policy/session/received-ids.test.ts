import { describe, expect, it } from 'vitest'
import { ReceivedIds, type ReceiveVerdict } from './received-ids.ts'

const T = 1_700_000_000
const SESSION = 0x1234n
const id = (s: number, low: bigint): bigint => (BigInt(s) << 32n) | low

describe('ReceivedIds.check', () => {
  it.each<{ rule: string; seen: bigint[]; msgId: bigint; session?: bigint; serverNow: number | null; timing?: 'windowed' | 'time-exempt'; capacity?: number; want: ReceiveVerdict }>([
    { rule: 'enc §4.6: other session_id → reject', seen: [], msgId: id(T, 1n), session: 0x9n, serverNow: T, want: { verdict: 'reject', reason: 'wrong-session' } },
    { rule: 'enc §4.7: even msg_id → reject', seen: [], msgId: id(T, 4n), serverNow: T, want: { verdict: 'reject', reason: 'even-msg-id' } },
    { rule: 'enc §4.7: odd msg_id (≡1) → accept', seen: [], msgId: id(T, 1n), serverNow: T, want: { verdict: 'accept' } },
    { rule: 'enc §4.7: odd msg_id (≡3) → accept', seen: [], msgId: id(T, 3n), serverNow: T, want: { verdict: 'accept' } },
    { rule: 'enc §4.8: equal to a stored id → ignore', seen: [id(T, 1n), id(T, 5n)], msgId: id(T, 1n), serverNow: T, want: { verdict: 'ignore', reason: 'duplicate' } },
    { rule: 'enc §4.8: lower than all stored ids of a full window → ignore', seen: [id(T, 5n), id(T, 9n)], capacity: 2, msgId: id(T, 1n), serverNow: T, want: { verdict: 'ignore', reason: 'below-window' } },
    { rule: 'enc §4.8 (TDLib): out of order but in a window not yet full → accept', seen: [id(T, 5n), id(T, 9n)], msgId: id(T, 1n), serverNow: T, want: { verdict: 'accept' } },
    { rule: 'enc §4.9: > 30 s in the future → ignore', seen: [], msgId: id(T + 31, 1n), serverNow: T, want: { verdict: 'ignore', reason: 'too-far-future' } },
    { rule: 'enc §4.9: > 300 s in the past → ignore', seen: [], msgId: id(T - 301, 1n), serverNow: T, want: { verdict: 'ignore', reason: 'too-far-past' } },
    { rule: 'enc §4.9: 29 s ahead is inside the window', seen: [], msgId: id(T + 29, 1n), serverNow: T, want: { verdict: 'accept' } },
    { rule: 'enc §4.9: window applies only once the clock is synced', seen: [], msgId: id(T + 3600, 1n), serverNow: null, want: { verdict: 'accept' } },
    { rule: 'enc §4.9: bad_server_salt / bad_msg_notification processed even when time looks wrong', seen: [], msgId: id(T - 4000, 3n), serverNow: T, timing: 'time-exempt', want: { verdict: 'accept' } },
    { rule: 'enc §4.8: time-exempt messages are still deduplicated', seen: [id(T, 3n)], msgId: id(T, 3n), serverNow: T, timing: 'time-exempt', want: { verdict: 'ignore', reason: 'duplicate' } },
  ])('$rule', ({ seen, msgId, session, serverNow, timing, capacity, want }) => {
    const ids = new ReceivedIds(SESSION, capacity ?? 1000)
    for (const s of seen) expect(ids.check({ sessionId: SESSION, msgId: s, timing: 'windowed' }, T).verdict).toBe('accept')
    expect(ids.check({ sessionId: session ?? SESSION, msgId, timing: timing ?? 'windowed' }, serverNow)).toEqual(want)
  })

  it('enc §4.8: keeps the last N and evicts the lowest', () => {
    const ids = new ReceivedIds(SESSION, 3)
    for (const low of [1n, 5n, 9n, 13n]) ids.check({ sessionId: SESSION, msgId: id(T, low), timing: 'windowed' }, T)
    expect(ids.size).toBe(3)
    // id(T,1) was evicted: it is now below the window, not a remembered duplicate
    expect(ids.check({ sessionId: SESSION, msgId: id(T, 1n), timing: 'windowed' }, T)).toEqual({ verdict: 'ignore', reason: 'below-window' })
    expect(ids.check({ sessionId: SESSION, msgId: id(T, 7n), timing: 'windowed' }, T)).toEqual({ verdict: 'accept' })
  })

  it('a message ignored for its time is not recorded', () => {
    const ids = new ReceivedIds(SESSION)
    ids.check({ sessionId: SESSION, msgId: id(T + 60, 1n), timing: 'windowed' }, T)
    expect(ids.size).toBe(0)
  })

  it.each([{ capacity: 0 }, { capacity: 1.5 }])('rejects capacity $capacity', ({ capacity }) =>
    expect(() => new ReceivedIds(SESSION, capacity)).toThrow(RangeError))
})
