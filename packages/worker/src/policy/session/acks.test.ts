import { describe, expect, it } from 'vitest'
import { ACK_RIDE_WAIT_MS, MAX_IDS_PER_ACK, NO_ACKS, stepAcks, type AckAction, type AckEvent, type AckState } from './acks.ts'

const cfg = { maxUnacked: 16, maxDelayMs: 60_000 }
const recv = (n: number): AckEvent => ({ type: 'received', msgId: BigInt(n * 4 + 1), contentRelated: true })

function run(events: Array<[number, AckEvent]>, start: AckState = NO_ACKS): { state: AckState; actions: AckAction[] } {
  let state = start
  const actions: AckAction[] = []
  for (const [now, e] of events) {
    const r = stepAcks(state, e, now, cfg)
    state = r.state
    actions.push(...r.actions)
  }
  return { state, actions }
}

describe('stepAcks', () => {
  it.each<{ rule: string; events: Array<[number, AckEvent]>; want: AckAction[]; pending: number }>([
    { rule: 'enc §5: non-content-related messages are not acked', events: [[0, { type: 'received', msgId: 5n, contentRelated: false }], [0, { type: 'outgoing' }]], want: [], pending: 0 },
    { rule: 'enc §5: first pending id schedules a stand-alone flush', events: [[1000, recv(1)]], want: [{ type: 'schedule', atMs: 61_000, reason: 'ack-flush' }], pending: 1 },
    { rule: 'enc §5: piggy-back on the next outgoing query', events: [[0, recv(1)], [10, recv(2)], [20, { type: 'outgoing' }]], want: [{ type: 'schedule', atMs: 60_000, reason: 'ack-flush' }, { type: 'send-acks', ids: [5n, 9n], mode: 'piggy-back' }], pending: 0 },
    {
      rule: 'enc §5: stand-alone after the delay; an early tick keeps the deadline armed',
      events: [[0, recv(1)], [59_999, { type: 'tick' }], [60_000, { type: 'tick' }]],
      want: [{ type: 'schedule', atMs: 60_000, reason: 'ack-flush' }, { type: 'schedule', atMs: 60_000, reason: 'ack-flush' }, { type: 'send-acks', ids: [5n], mode: 'stand-alone' }],
      pending: 0,
    },
    { rule: 'enc §5: tick with nothing pending sends nothing', events: [[90_000, { type: 'tick' }]], want: [], pending: 0 },
    { rule: 'enc §5: session reset forgets ids of the old session', events: [[0, recv(1)], [1, { type: 'session-reset' }], [2, { type: 'outgoing' }]], want: [{ type: 'schedule', atMs: 60_000, reason: 'ack-flush' }], pending: 0 },
  ])('$rule', ({ events, want, pending }) => {
    const r = run(events)
    expect(r.actions).toEqual(want)
    expect(r.state.pending.length).toBe(pending)
  })

  it('enc §5: stand-alone after 16 unacked messages, once they waited ACK_RIDE_WAIT_MS for a ride', () => {
    const sixteen = Array.from({ length: 16 }, (_, i): [number, AckEvent] => [i, recv(i)])
    const r = run([...sixteen, [15 + ACK_RIDE_WAIT_MS - 1, { type: 'tick' }], [15 + ACK_RIDE_WAIT_MS, { type: 'tick' }]])
    expect(r.actions.filter((a) => a.type === 'schedule').map((a) => (a.type === 'schedule' ? a.atMs : 0))).toEqual([60_000, 15 + ACK_RIDE_WAIT_MS])
    const sends = r.actions.filter((a) => a.type === 'send-acks')
    expect(sends).toEqual([{ type: 'send-acks', ids: Array.from({ length: 16 }, (_, i) => BigInt(i * 4 + 1)), mode: 'stand-alone' }])
    expect(r.state).toEqual(NO_ACKS)
  })

  it('issue #17: 32 answers in one packet are acked in the container of the calls they provoke, not alone', () => {
    const answers = Array.from({ length: 32 }, (_, i): [number, AckEvent] => [0, recv(i)])
    const r = run([...answers, [1, { type: 'outgoing' }], [ACK_RIDE_WAIT_MS, { type: 'tick' }]])
    const sends = r.actions.filter((a) => a.type === 'send-acks')
    expect(sends).toEqual([{ type: 'send-acks', ids: answers.map(([, e]) => (e.type === 'received' ? e.msgId : 0n)), mode: 'piggy-back' }])
    expect(r.state).toEqual(NO_ACKS)
  })

  it('enc §5: ids that came after a batch left are still acked after the delay', () => {
    const sixteen = Array.from({ length: 16 }, (_, i): [number, AckEvent] => [0, recv(i)])
    const r = run([...sixteen, [1, { type: 'outgoing' }], [2, recv(100)], [ACK_RIDE_WAIT_MS, { type: 'tick' }], [60_002, { type: 'tick' }]])
    expect(r.actions.filter((a) => a.type === 'schedule').map((a) => (a.type === 'schedule' ? a.atMs : 0))).toEqual([60_000, ACK_RIDE_WAIT_MS, 60_002, 60_002])
    expect(r.actions.filter((a) => a.type === 'send-acks')).toEqual([
      { type: 'send-acks', ids: sixteen.map(([, e]) => (e.type === 'received' ? e.msgId : 0n)), mode: 'piggy-back' },
      { type: 'send-acks', ids: [401n], mode: 'stand-alone' },
    ])
  })

  it('msgs_ack carries at most 8192 ids: a larger backlog is split', () => {
    const pending = Array.from({ length: 2 * MAX_IDS_PER_ACK + 5 }, (_, i) => BigInt(i * 4 + 1))
    const r = stepAcks({ pending, oldestAt: 0 }, { type: 'outgoing' }, 1, cfg)
    expect(r.actions.map((a) => (a.type === 'send-acks' ? a.ids.length : -1))).toEqual([8192, 8192, 5])
    expect(r.actions.flatMap((a) => (a.type === 'send-acks' ? a.ids : []))).toEqual(pending)
  })
})
