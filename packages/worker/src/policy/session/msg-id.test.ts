import { describe, expect, it } from 'vitest'
import {
  EARLIEST_SERVER_TIME_S,
  LATEST_SERVER_TIME_S,
  MAX_CLOCK_STEP_S,
  TIME_DISPUTE_HANDSHAKE_EVERY_MS,
  UNSYNCED,
  aheadOfServer,
  clockPlausibility,
  nextFreeMsgId,
  nextMsgId,
  serverNow,
  serverTimeFromMsgId,
  stepClock,
  timeDisputeHandshake,
  timeNoticeConsistent,
  type ServerClock,
} from './msg-id.ts'

const T = 1_700_000_000
const id = (s: number, low = 0n): bigint => (BigInt(s) << 32n) | low

describe('nextMsgId', () => {
  it.each([
    { rule: 'enc §5: msg_id ≈ unixtime × 2^32', last: 0n, time: T, want: id(T, 4n) },
    { rule: 'enc §5: fraction of the second in the low bits', last: 0n, time: T + 0.5, want: id(T, 0x80000000n) },
    { rule: 'enc §5: client ids divisible by 4 (fraction 0x...ff rounded down)', last: 0n, time: T + 0.9999998, want: id(T, 0xfffffc00n) },
    { rule: 'enc §5: low 32 bits never zero', last: 0n, time: T, want: id(T, 4n) },
    { rule: 'enc §5: not above previous → previous + 4', last: id(T, 0x80000000n), time: T + 0.25, want: id(T, 0x80000004n) },
    { rule: 'enc §5: equal to previous → previous + 4', last: id(T, 0x40000000n), time: T + 0.25, want: id(T, 0x40000004n) },
    { rule: 'enc §5: previous + 4 skips a zero low half', last: id(T, 0xfffffffcn), time: T, want: id(T + 1, 4n) },
  ])('$rule', ({ last, time, want }) => {
    const got = nextMsgId(last, time)
    expect(got).toBe(want)
    expect(got % 4n).toBe(0n)
    expect(got & 0xffffffffn).not.toBe(0n)
  })

  it('enc §5: strictly increasing over 2 000 ids drawn at the same instant', () => {
    let last = 0n
    for (let i = 0; i < 2_000; i++) {
      const next = nextMsgId(last, T + 0.123)
      expect(next > last).toBe(true)
      last = next
    }
  })

  it.each([
    { rule: 'issue #18: a time at or below zero is held at 1 s, never a throw', time: 0, want: id(1, 4n) },
    { rule: 'issue #18: −2^31 s (the wedge) is held at 1 s', time: -(2 ** 31), want: id(1, 4n) },
    { rule: 'issue #18: −∞ is held at 1 s', time: -Infinity, want: id(1, 4n) },
    { rule: 'issue #18: past 2^31 − 1 s is held there: msg_ids stay positive int64s', time: 2 ** 40, want: id(2 ** 31 - 1, 4n) },
    { rule: 'issue #18: +∞ is held at 2^31 − 1 s', time: Infinity, want: id(2 ** 31 - 1, 4n) },
  ])('$rule', ({ time, want }) => {
    const got = nextMsgId(0n, time)
    expect(got).toBe(want)
    expect(got > 0n && got < 2n ** 63n).toBe(true)
  })

  it('issue #18: held times still give strictly increasing ids', () => {
    const a = nextMsgId(0n, -5)
    expect(nextMsgId(a, -5)).toBe(a + 4n)
  })

  it('rejects NaN: no clock the engine keeps can be NaN', () => expect(() => nextMsgId(0n, Number.NaN)).toThrow(RangeError))
})

describe('nextFreeMsgId (issue #18: msg_ids unique across the sessions of a DC)', () => {
  it.each([
    { rule: 'enc §5: nothing taken → nextMsgId', taken: [] as bigint[], want: id(T, 0x80000000n) },
    { rule: 'another session holds the id → the next one up', taken: [id(T, 0x80000000n)], want: id(T, 0x80000004n) },
    { rule: 'a run of held ids is skipped', taken: [id(T, 0x80000000n), id(T, 0x80000004n), id(T, 0x80000008n)], want: id(T, 0x8000000cn) },
  ])('$rule', ({ taken, want }) => expect(nextFreeMsgId(0n, T + 0.5, (x) => taken.includes(x))).toBe(want))

  it('two sessions numbering at one clock reading get different ids', () => {
    const a = nextFreeMsgId(0n, T + 0.5, () => false)
    const b = nextFreeMsgId(0n, T + 0.5, (x) => x === a)
    expect(b).not.toBe(a)
    expect(b % 4n).toBe(0n)
  })
})

describe('serverTimeFromMsgId', () => {
  it.each([
    { rule: 'enc §5: server time = msg_id >> 32', msgId: id(T, 1n), want: T },
    { rule: 'enc §5: fraction ignored', msgId: id(T, 0xffffffffn), want: T },
  ])('$rule', ({ msgId, want }) => expect(serverTimeFromMsgId(msgId)).toBe(want))
})

describe('stepClock', () => {
  const synced: ServerClock = { sync: 'synced', offsetS: T - 100, source: 'handshake' }
  const pinned: ServerClock = { sync: 'synced', offsetS: T - 100, source: 'pinned' }
  const now = 100_000 // local monotonic ms → 100 s
  it.each([
    { rule: 'enc §5: handshake server_time (whole seconds, cut down) gives the first offset from its end, t + 1', clock: UNSYNCED, event: { type: 'handshake', serverTime: T } as const, want: { sync: 'synced', offsetS: T + 1 - 100, source: 'handshake' } },
    { rule: 'enc §6: bad_msg 16 resyncs from the notification msg_id', clock: synced, event: { type: 'bad-msg-time', code: 16, serverMsgId: id(T + 40, 3n) } as const, want: { sync: 'synced', offsetS: T - 60, source: 'bad-msg' } },
    { rule: 'enc §6: bad_msg 17 resyncs from the notification msg_id', clock: synced, event: { type: 'bad-msg-time', code: 17, serverMsgId: id(T - 50, 3n) } as const, want: { sync: 'synced', offsetS: T - 150, source: 'bad-msg' } },
    { rule: 'enc §5 (TDLib): answer > 15 s below request → resync', clock: synced, event: { type: 'answer', serverMsgId: id(T - 16, 1n), requestMsgId: id(T, 4n) } as const, want: { sync: 'synced', offsetS: T - 116, source: 'answer-skew' } },
    { rule: 'enc §5 (TDLib): answer exactly 15 s below request → keep', clock: synced, event: { type: 'answer', serverMsgId: id(T - 15, 4n), requestMsgId: id(T, 4n) } as const, want: synced },
    { rule: 'enc §5 (TDLib): answer above request, inside our window → keep', clock: synced, event: { type: 'answer', serverMsgId: id(T + 20, 1n), requestMsgId: id(T, 4n) } as const, want: synced },
    { rule: 'enc §4.9: answer to our request 120 s ahead (past our 30 s window) → resync forward', clock: synced, event: { type: 'answer', serverMsgId: id(T + 120, 1n), requestMsgId: id(T, 4n) } as const, want: { sync: 'synced', offsetS: T + 20, source: 'answer-skew' } },
    { rule: 'enc §6: answer 31 s ahead → resync', clock: synced, event: { type: 'answer', serverMsgId: id(T + 31, 1n), requestMsgId: id(T, 4n) } as const, want: { sync: 'synced', offsetS: T - 69, source: 'answer-skew' } },
    { rule: 'enc §6: answer a day ahead of a request the server took (> 300 s) is no clock → keep', clock: synced, event: { type: 'answer', serverMsgId: id(T + 86_400, 1n), requestMsgId: id(T, 4n) } as const, want: synced },
    { rule: 'enc §6: a 16/17 that contradicts itself pins the clock (offset kept)', clock: synced, event: { type: 'msg-ids-no-clock' } as const, want: { ...synced, source: 'pinned' } },
    { rule: 'enc §6: an unsynced clock is not pinned (it would look synced)', clock: UNSYNCED, event: { type: 'msg-ids-no-clock' } as const, want: UNSYNCED },
    { rule: 'enc §6: pinned → answers are no clock, even 120 s ahead', clock: pinned, event: { type: 'answer', serverMsgId: id(T + 120, 1n), requestMsgId: id(T, 4n) } as const, want: pinned },
    { rule: 'enc §5: pinned → a handshake server_time still sets it, and it stays pinned', clock: pinned, event: { type: 'handshake', serverTime: T + 50 } as const, want: { sync: 'synced', offsetS: T + 1 - 50, source: 'pinned' } },
    { rule: 'enc §6: pinned → a (self-consistent) 16/17 sets it and unpins', clock: pinned, event: { type: 'bad-msg-time', code: 16, serverMsgId: id(T + 400, 3n) } as const, want: { sync: 'synced', offsetS: T + 300, source: 'bad-msg' } },
  ])('$rule', ({ clock, event, want }) => expect(stepClock(clock, event, now)).toEqual(want))

  it.each([
    { rule: 'issue #18: a handshake server_time before 2013 is not taken', clock: synced, event: { type: 'handshake', serverTime: 1_000 } as const, want: synced },
    { rule: 'issue #18: a handshake server_time past 2036 is not taken', clock: synced, event: { type: 'handshake', serverTime: 2 ** 31 - 10 } as const, want: synced },
    { rule: 'issue #18: bad_msg 16 from a msg_id with time part ≤ 0 is not taken', clock: synced, event: { type: 'bad-msg-time', code: 16, serverMsgId: -(2n ** 40n) - 1n } as const, want: synced },
    { rule: 'issue #18: bad_msg 17 four days back from the last sync is not taken', clock: synced, event: { type: 'bad-msg-time', code: 17, serverMsgId: id(T - 4 * 86_400, 3n) } as const, want: synced },
    { rule: 'issue #18: an answer whose msg_id has bit 63 flipped is no clock', clock: synced, event: { type: 'answer', serverMsgId: id(T - 16, 1n) ^ (1n << 63n), requestMsgId: id(T, 4n) } as const, want: synced },
    { rule: 'issue #18: an answer 4 days below the request is no clock', clock: synced, event: { type: 'answer', serverMsgId: id(T - 4 * 86_400, 1n), requestMsgId: id(T, 4n) } as const, want: synced },
    { rule: 'issue #18: an answer 2 days below the request is still a resync', clock: synced, event: { type: 'answer', serverMsgId: id(T - 2 * 86_400, 1n), requestMsgId: id(T, 4n) } as const, want: { sync: 'synced', offsetS: T - 2 * 86_400 - 100, source: 'answer-skew' } },
  ])('$rule', ({ clock, event, want }) => expect(stepClock(clock, event, now)).toEqual(want))

  it('serverNow adds the offset to the local monotonic time', () => {
    const clock = stepClock(UNSYNCED, { type: 'handshake', serverTime: T }, 5_000)
    expect(serverNow(clock, 7_500)).toBe(T + 1 + 2.5)
  })

  it('issue #11: a clock synced from server_time is never behind the server that wrote it', () => {
    // the server read T + 0.999 and wrote T; 5 ms later the answer arrives
    const clock = stepClock(UNSYNCED, { type: 'handshake', serverTime: T }, 5_000)
    expect(serverNow(clock, 5_000)).toBeGreaterThanOrEqual(T + 0.999)
  })
})

describe('clockPlausibility (issue #18: bounded clock moves)', () => {
  it.each([
    { rule: 'a handshake server_time in range is the good sync', at: T, current: null, want: 'plausible' },
    { rule: 'the first second of 2013 is plausible', at: EARLIEST_SERVER_TIME_S, current: null, want: 'plausible' },
    { rule: 'one second before 2013 is not', at: EARLIEST_SERVER_TIME_S - 1, current: null, want: 'before-2013' },
    { rule: 'a time part ≤ 0 (a negative msg_id) is not', at: -256, current: T, want: 'before-2013' },
    { rule: 'NaN is not', at: Number.NaN, current: null, want: 'before-2013' },
    { rule: 'the last plausible second', at: LATEST_SERVER_TIME_S, current: null, want: 'plausible' },
    { rule: 'past 2036 is not (msg_ids run out in 2038)', at: LATEST_SERVER_TIME_S + 1, current: null, want: 'after-2036' },
    { rule: 'a step of exactly MAX_CLOCK_STEP_S from the sync is plausible', at: T + MAX_CLOCK_STEP_S, current: T, want: 'plausible' },
    { rule: 'a step one second further is not', at: T - MAX_CLOCK_STEP_S - 1, current: T, want: 'too-far-from-sync' },
    { rule: 'the ±1 day skew the fault tests use is plausible', at: T - 86_400, current: T, want: 'plausible' },
  ] as const)('$rule', ({ at, current, want }) => expect(clockPlausibility(at, current)).toBe(want))
})

describe('timeDisputeHandshake (issue #18: time disputes buy one handshake a minute)', () => {
  it.each([
    { rule: 'the first dispute starts one', last: null, now: 5_000, want: true },
    { rule: 'a second within the period does not', last: 5_000, now: 5_000 + TIME_DISPUTE_HANDSHAKE_EVERY_MS - 1, want: false },
    { rule: 'after the period one may again', last: 5_000, now: 5_000 + TIME_DISPUTE_HANDSHAKE_EVERY_MS, want: true },
  ])('$rule', ({ last, now, want }) => expect(timeDisputeHandshake(last, now)).toBe(want))
})

describe('timeNoticeConsistent / aheadOfServer', () => {
  it.each([
    { rule: 'enc §6: 17 whose own time puts the bad id > 30 s ahead → usable', code: 17, bad: id(T + 86_400), notice: id(T, 3n), want: true },
    { rule: 'enc §6: 17 whose own time is the bad id\'s time → contradicts itself, no clock', code: 17, bad: id(T), notice: id(T, 3n), want: false },
    { rule: 'enc §6: 16 whose own time puts the bad id > 300 s behind → usable', code: 16, bad: id(T - 86_400), notice: id(T, 3n), want: true },
    { rule: 'enc §6: 16 whose own time is near the bad id → no clock', code: 16, bad: id(T - 10), notice: id(T, 3n), want: false },
  ] as const)('$rule', ({ code, bad, notice, want }) => expect(timeNoticeConsistent(code, bad, notice)).toBe(want))

  it.each([
    { rule: 'enc §6: last id 31 s ahead of server time → ahead', last: id(T + 31), want: true },
    { rule: 'enc §6: last id 30 s ahead → within the window', last: id(T + 30), want: false },
  ])('$rule', ({ last, want }) => expect(aheadOfServer(last, T)).toBe(want))
})
