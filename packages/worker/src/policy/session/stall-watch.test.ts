import { describe, expect, it } from 'vitest'
import { QUIET, stallConfig, stepStall, type StallAction, type StallEvent, type StallState } from './stall-watch.ts'

const cfg = stallConfig(15_000)

function run(events: Array<[number, StallEvent]>): { state: StallState; last: StallAction[] } {
  let state = QUIET
  let last: StallAction[] = []
  for (const [now, e] of events) ({ state, actions: last } = stepStall(state, e, now, cfg))
  return { state, last }
}

const sent = (t: number): [number, StallEvent] => [t, { type: 'sent-request' }]
const got = (t: number, owed = false): [number, StallEvent] => [t, { type: 'received', owed }]
const tick = (t: number, owed = true): [number, StallEvent] => [t, { type: 'tick', owed }]

describe('stepStall', () => {
  it.each<{ rule: string; events: Array<[number, StallEvent]>; want: StallAction[] }>([
    { rule: 'a request arms the watch: check at +5 s', events: [sent(100)], want: [{ type: 'schedule', atMs: 5_100 }] },
    { rule: 'more requests while armed keep the first time', events: [sent(100), sent(3_000)], want: [] },
    { rule: 'the last answer disarms it: the pending check finds nothing owed', events: [sent(100), got(200), tick(5_100)], want: [] },
    { rule: 'a packet while answers are still owed restarts the count (an ack is life, not an answer)', events: [sent(100), got(4_000, true), tick(5_100)], want: [{ type: 'schedule', atMs: 9_000 }] },
    { rule: '… and the silence after it is a stall in its own right', events: [sent(100), got(4_000, true), tick(9_000), tick(19_000)], want: [{ type: 'stalled' }] },
    { rule: 'a packet owing answers with the watch quiet arms it', events: [got(100, true)], want: [{ type: 'schedule', atMs: 5_100 }] },
    { rule: 'a check that finds nothing owed any more disarms', events: [sent(100), tick(5_100, false), tick(15_100)], want: [] },
    { rule: '5 s of silence → one ping, then wait for the 15 s mark', events: [sent(100), tick(5_100)], want: [{ type: 'ping' }, { type: 'schedule', atMs: 15_100 }] },
    { rule: 'an early tick reschedules for the ping time', events: [sent(100), tick(2_000)], want: [{ type: 'schedule', atMs: 5_100 }] },
    { rule: 'a second tick before 15 s does not ping again', events: [sent(100), tick(5_100), tick(9_000)], want: [{ type: 'schedule', atMs: 15_100 }] },
    { rule: '15 s of silence with a request owed → stalled', events: [sent(100), tick(5_100), tick(15_100)], want: [{ type: 'stalled' }] },
    { rule: 'a pong in time restarts the count: a slow call is pinged again, not dropped', events: [sent(100), tick(5_100), got(5_200, true), tick(15_100)], want: [{ type: 'ping' }, { type: 'schedule', atMs: 20_200 }] },
    { rule: 'silence is counted from the first request after the last packet', events: [sent(0), got(10_000), sent(12_000), tick(20_000)], want: [{ type: 'ping' }, { type: 'schedule', atMs: 27_000 }] },
    { rule: 'after stalled the watch is quiet until the next request', events: [sent(0), tick(15_000), tick(30_000)], want: [] },
  ])('$rule', ({ events, want }) => expect(run(events).last).toEqual(want))

  it('pings at a third of the stall time', () => expect(stallConfig(3_000)).toEqual({ pingAfterMs: 1_000, stalledAfterMs: 3_000 }))
})
