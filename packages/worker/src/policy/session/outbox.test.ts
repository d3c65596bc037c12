import { describe, expect, it } from 'vitest'
import { AWAIT_CLOCK_MS, Outbox, type CallState, type OutboxAction, type OutboxEvent } from './outbox.ts'

const S1 = 0x51n
const S2 = 0x52n
const sent = (callId: number, msgId: bigint, containerId: bigint | null = null, keyId = 'k1', sessionId = S1): OutboxEvent => ({ type: 'sent', callId, msgId, containerId, keyId, sessionId })
const enq = (callId: number, deadlineAt: number | null = null): OutboxEvent => ({ type: 'enqueue', callId, deadlineAt })

function run(events: OutboxEvent[], now = 0): { box: Outbox; last: OutboxAction[] } {
  const box = new Outbox()
  let last: OutboxAction[] = []
  for (const e of events) last = box.step(e, now)
  return { box, last }
}

const queued = (reason: string): CallState => ({ kind: 'queued', reason, notBefore: 0 }) as CallState

describe('Outbox', () => {
  it.each<{ rule: string; events: OutboxEvent[]; want: OutboxAction[]; states: Record<number, CallState | null> }>([
    { rule: 'an answer to the current msg_id is delivered once and the key drains', events: [enq(1), sent(1, 100n), { type: 'answer', msgId: 100n }], want: [{ type: 'deliver', callId: 1 }, { type: 'drained', keyId: 'k1' }], states: { 1: null } },
    { rule: 'never twice: a second answer to the same msg_id is dropped', events: [enq(1), sent(1, 100n), { type: 'answer', msgId: 100n }, { type: 'answer', msgId: 100n }], want: [{ type: 'ignored', msgId: 100n, reason: 'unknown-msg-id' }], states: { 1: null } },
    { rule: 'enc §6 (20): the old copy may be the one answered → deliver it, drop the new copy’s answer', events: [enq(1), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 20 }, sent(1, 200n), { type: 'answer', msgId: 100n }, { type: 'answer', msgId: 200n }], want: [{ type: 'ignored', msgId: 200n, reason: 'unknown-msg-id' }], states: { 1: null } },
    { rule: 'enc §6 (16): msg_id too low → resend with a new msg_id', events: [enq(1), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 16 }], want: [{ type: 'resend', callIds: [1], reason: 'bad-msg' }, { type: 'drained', keyId: 'k1' }], states: { 1: queued('bad-msg') } },
    { rule: 'enc §6 (17): msg_id too high → resend', events: [enq(1), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 17 }], want: [{ type: 'resend', callIds: [1], reason: 'bad-msg' }, { type: 'drained', keyId: 'k1' }], states: { 1: queued('bad-msg') } },
    { rule: 'enc §6 (48): bad_server_salt → resend', events: [enq(1), enq(2), sent(1, 100n), sent(2, 104n), { type: 'bad-msg', badMsgId: 100n, code: 48 }], want: [{ type: 'resend', callIds: [1], reason: 'bad-msg' }], states: { 1: queued('bad-msg'), 2: { kind: 'sent', keyId: 'k1', sessionId: S1, msgId: 104n, containerId: null } } },
    { rule: 'enc §6: a notified container resends every call inside it', events: [enq(1), enq(2), enq(3), sent(1, 100n, 108n), sent(2, 104n, 108n), sent(3, 112n), { type: 'bad-msg', badMsgId: 108n, code: 48 }], want: [{ type: 'resend', callIds: [1, 2], reason: 'bad-msg' }], states: { 1: queued('bad-msg'), 2: queued('bad-msg') } },
    { rule: 'enc §6: a notification naming an old msg_id of a resent call is stale', events: [enq(1), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 48 }, sent(1, 200n), { type: 'bad-msg', badMsgId: 100n, code: 48 }], want: [{ type: 'ignored', msgId: 100n, reason: 'stale-msg-id' }], states: { 1: { kind: 'sent', keyId: 'k1', sessionId: S1, msgId: 200n, containerId: null } } },
    { rule: 'enc §6: a notification for a msg_id we never sent is ignored (do not resync on it)', events: [{ type: 'bad-msg', badMsgId: 999n, code: 16 }], want: [{ type: 'ignored', msgId: 999n, reason: 'unknown-msg-id' }], states: {} },
    { rule: 'enc §6 (32–35, 64): a client bug fails the call rather than looping', events: [enq(1), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 35 }], want: [{ type: 'fail', callId: 1, code: 'BAD_MSG_35' }, { type: 'drained', keyId: 'k1' }], states: { 1: null } },
    { rule: 'enc §5 Session: new_session_created resends calls below first_msg_id in that session only', events: [enq(1), enq(2), enq(3), sent(1, 100n), sent(2, 104n), sent(3, 100n - 8n, null, 'k1', S2), { type: 'new-session-created', sessionId: S1, firstMsgId: 104n }], want: [{ type: 'resend', callIds: [1], reason: 'session-lost' }], states: { 1: queued('session-lost'), 2: { kind: 'sent', keyId: 'k1', sessionId: S1, msgId: 104n, containerId: null }, 3: { kind: 'sent', keyId: 'k1', sessionId: S2, msgId: 92n, containerId: null } } },
    { rule: 'pfs §1.7: -404 on a key → resend everything unanswered on it', events: [enq(1), enq(2), enq(3), sent(1, 100n), sent(2, 104n, null, 'k2'), sent(3, 108n), { type: 'key-lost', keyId: 'k1' }], want: [{ type: 'resend', callIds: [1, 3], reason: 'key-lost' }, { type: 'drained', keyId: 'k1' }], states: { 1: queued('key-lost'), 2: { kind: 'sent', keyId: 'k2', sessionId: S1, msgId: 104n, containerId: null }, 3: queued('key-lost') } },
    { rule: 'enc §6 (17, TDLib): a dropped session resends its calls', events: [enq(1), sent(1, 100n), { type: 'session-lost', sessionId: S1 }], want: [{ type: 'resend', callIds: [1], reason: 'session-lost' }, { type: 'drained', keyId: 'k1' }], states: { 1: queued('session-lost') } },
    { rule: 'cancel of a sent call reports its msg_id (for rpc_drop_answer) and drains', events: [enq(1), sent(1, 100n), { type: 'cancel', callId: 1 }], want: [{ type: 'cancelled', callId: 1, sentMsgId: 100n }, { type: 'drained', keyId: 'k1' }], states: { 1: null } },
    { rule: 'an answer arriving after cancel is dropped', events: [enq(1), sent(1, 100n), { type: 'cancel', callId: 1 }, { type: 'answer', msgId: 100n }], want: [{ type: 'ignored', msgId: 100n, reason: 'unknown-msg-id' }], states: { 1: null } },
    { rule: 'issue #18, enc §6 (17): a notice with no clock in it holds the call for the resync, no resend now', events: [enq(1), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 17, awaitClock: true }], want: [{ type: 'drained', keyId: 'k1' }, { type: 'schedule', atMs: AWAIT_CLOCK_MS, reason: 'call-retry' }], states: { 1: { kind: 'queued', reason: 'await-clock', notBefore: AWAIT_CLOCK_MS } } },
    { rule: 'issue #18, enc §5: the next good sync resends the held call at once', events: [enq(1), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 16, awaitClock: true }, { type: 'clock-synced' }], want: [{ type: 'resend', callIds: [1], reason: 'bad-msg' }], states: { 1: queued('bad-msg') } },
    { rule: 'issue #18: a good sync with nothing held changes nothing', events: [enq(1), sent(1, 100n), { type: 'clock-synced' }], want: [], states: { 1: { kind: 'sent', keyId: 'k1', sessionId: S1, msgId: 100n, containerId: null } } },
    { rule: 'issue #18: awaitClock on a salt notice (48) is an ordinary resend', events: [enq(1), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 48, awaitClock: true }], want: [{ type: 'resend', callIds: [1], reason: 'bad-msg' }, { type: 'drained', keyId: 'k1' }], states: { 1: queued('bad-msg') } },
    { rule: 'retry (e.g. FLOOD_WAIT) waits until notBefore', events: [enq(1), sent(1, 100n), { type: 'retry', callId: 1, notBefore: 5000 }], want: [{ type: 'resend', callIds: [1], reason: 'retry' }, { type: 'drained', keyId: 'k1' }, { type: 'schedule', atMs: 5000, reason: 'call-retry' }], states: { 1: { kind: 'queued', reason: 'retry', notBefore: 5000 } } },
  ])('$rule', ({ events, want, states }) => {
    const { box, last } = run(events)
    expect(last).toEqual(want)
    for (const [id, st] of Object.entries(states)) expect(box.stateOf(Number(id))).toEqual(st)
  })

  it('counts the calls in flight per key through every change of state, draining each key at zero', () => {
    const box = new Outbox()
    for (const e of [enq(1), enq(2), enq(3), sent(1, 100n), sent(2, 104n), sent(3, 108n, null, 'k2')]) box.step(e, 0)
    expect([box.inFlightOn('k1'), box.inFlightOn('k2'), box.anyInFlightOn('k3')]).toEqual([2, 1, false])
    expect(box.step({ type: 'bad-msg', badMsgId: 100n, code: 48 }, 0)).toEqual([{ type: 'resend', callIds: [1], reason: 'bad-msg' }])
    expect(box.inFlightOn('k1')).toBe(1)
    box.step(sent(1, 112n, null, 'k2'), 0)
    expect([box.inFlightOn('k1'), box.inFlightOn('k2')]).toEqual([1, 2])
    expect(box.step({ type: 'answer', msgId: 104n }, 0)).toEqual([{ type: 'deliver', callId: 2 }, { type: 'drained', keyId: 'k1' }])
    expect(box.step({ type: 'cancel', callId: 3 }, 0)).toEqual([{ type: 'cancelled', callId: 3, sentMsgId: 108n }])
    expect(box.step({ type: 'key-lost', keyId: 'k2' }, 0)).toEqual([{ type: 'resend', callIds: [1], reason: 'key-lost' }, { type: 'drained', keyId: 'k2' }])
    expect([box.inFlightOn('k1'), box.inFlightOn('k2'), box.anyInFlightOn('k2')]).toEqual([0, 0, false])
  })

  it('per-call deadline: tick fails exactly the calls that are due and schedules the next', () => {
    const box = new Outbox()
    expect(box.step(enq(1, 1000), 0)).toEqual([{ type: 'schedule', atMs: 1000, reason: 'call-deadline' }])
    box.step(enq(2, 3000), 0)
    box.step(sent(1, 100n), 10)
    expect(box.step({ type: 'tick' }, 999)).toEqual([{ type: 'schedule', atMs: 1000, reason: 'call-deadline' }])
    expect(box.step({ type: 'tick' }, 1000)).toEqual([{ type: 'fail', callId: 1, code: 'TIMEOUT' }, { type: 'drained', keyId: 'k1' }, { type: 'schedule', atMs: 3000, reason: 'call-deadline' }])
    expect(box.step({ type: 'answer', msgId: 100n }, 1001)).toEqual([{ type: 'ignored', msgId: 100n, reason: 'unknown-msg-id' }])
  })

  it('issue #17: enqueue asks for its own deadline only; a timer kept at the earliest asked still fails each call on time', () => {
    const box = new Outbox()
    let timer = Infinity
    const take = (actions: OutboxAction[]): OutboxAction[] => {
      for (const a of actions) if (a.type === 'schedule') timer = Math.min(timer, a.atMs)
      return actions
    }
    expect(take(box.step(enq(1, 3000), 0))).toEqual([{ type: 'schedule', atMs: 3000, reason: 'call-deadline' }])
    expect(take(box.step(enq(2, 1000), 0))).toEqual([{ type: 'schedule', atMs: 1000, reason: 'call-deadline' }])
    expect(take(box.step(enq(3, 2000), 0))).toEqual([{ type: 'schedule', atMs: 2000, reason: 'call-deadline' }])
    expect(box.step(enq(4), 0)).toEqual([])
    const failedAt: Record<number, number> = {}
    while (timer !== Infinity) {
      const now = timer
      timer = Infinity
      for (const a of take(box.step({ type: 'tick' }, now))) if (a.type === 'fail') failedAt[a.callId] = now
    }
    expect(failedAt).toEqual({ 1: 3000, 2: 1000, 3: 2000 })
    expect(box.stateOf(4)).toEqual(queued('new'))
  })

  it('issue #18: with no sync in AWAIT_CLOCK_MS a held call goes out again anyway', () => {
    const { box } = run([enq(1), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 17, awaitClock: true }])
    expect(box.ready(AWAIT_CLOCK_MS - 1)).toEqual([])
    expect(box.ready(AWAIT_CLOCK_MS)).toEqual([1])
  })

  it('issue #18: a call held for the clock still fails at its deadline', () => {
    const { box } = run([enq(1, 1000), sent(1, 100n), { type: 'bad-msg', badMsgId: 100n, code: 17, awaitClock: true }])
    expect(box.ready(999)).toEqual([])
    expect(box.step({ type: 'tick' }, 1000)).toEqual([{ type: 'fail', callId: 1, code: 'TIMEOUT' }])
  })

  it('ready() lists queued calls in order and honours notBefore', () => {
    const box = new Outbox()
    for (const id of [1, 2, 3]) box.step(enq(id), 0)
    box.step(sent(2, 100n), 0)
    box.step({ type: 'retry', callId: 3, notBefore: 50 }, 0)
    expect(box.ready(0)).toEqual([1])
    expect(box.ready(50)).toEqual([1, 3])
    expect(box.inFlightOn('k1')).toBe(1)
    expect(box.anyInFlightOn('k1')).toBe(true)
    expect(box.anyInFlightOn('k2')).toBe(false)
    expect(box.callFor(100n)).toBe(2)
  })

  it.each<{ rule: string; events: OutboxEvent[] }>([
    { rule: 'a call id is registered once', events: [enq(1), enq(1)] },
    { rule: 'sent for an unknown call', events: [sent(1, 100n)] },
    { rule: 'sent twice without a resend', events: [enq(1), sent(1, 100n), sent(1, 104n)] },
    { rule: 'enc §5: container id must exceed the ids inside', events: [enq(1), sent(1, 100n, 96n)] },
  ])('rejects bad input: $rule', ({ events }) => expect(() => run(events)).toThrow(RangeError))

  it('never lost, never twice: 300 calls through random bad_msg/key loss/duplicate answers', () => {
    let seed = 42
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const box = new Outbox()
    const delivered = new Map<number, number>()
    let msgId = 4n
    const wire: bigint[] = []
    for (let id = 0; id < 300; id++) box.step(enq(id), 0)
    for (let round = 0; round < 200 && box.size > 0; round++) {
      const key = `k${Math.floor(round / 20)}`
      for (const id of box.ready(0)) {
        msgId += 4n
        box.step(sent(id, msgId, null, key), 0)
        wire.push(msgId)
      }
      for (const m of wire.splice(0)) {
        const r = rand()
        const actions = r < 0.15 ? box.step({ type: 'bad-msg', badMsgId: m, code: 48 }, 0) : r < 0.2 ? box.step({ type: 'key-lost', keyId: key }, 0) : [...box.step({ type: 'answer', msgId: m }, 0), ...(r > 0.9 ? box.step({ type: 'answer', msgId: m }, 0) : [])]
        for (const a of actions) if (a.type === 'deliver') delivered.set(a.callId, (delivered.get(a.callId) ?? 0) + 1)
      }
    }
    expect(box.size).toBe(0)
    expect(delivered.size).toBe(300)
    expect([...delivered.values()].every((n) => n === 1)).toBe(true)
  })
})
