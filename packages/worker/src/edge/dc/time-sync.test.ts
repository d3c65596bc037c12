/** Clock keeping on fake ports: what a time notice, an answer or a time dispute does to the DC. */
import { describe, expect, it } from 'vitest'
import { PacketError } from '../../errors.ts'
import type { ClockEvent } from '../../policy/session/msg-id.ts'
import type { Lane } from './lane.ts'
import { onAnswerTime, onLaneDownForTime, onTimeNotice, renumberSessionsAhead, type ClockSyncHost } from './time-sync.ts'

const T = 1_700_000_000
/** A msg_id whose time part is `s` (server unix seconds). */
const idAt = (s: number) => BigInt(s) << 32n

function fakeLane(sentIds: bigint[], lastMsgId = 0n) {
  const lane = {
    renumberOnSync: false,
    resets: 0,
    renumberAtNextSync: () => void (lane.renumberOnSync = true),
    takeRenumber: () => {
      const r = lane.renumberOnSync
      lane.renumberOnSync = false
      return r
    },
    session: { sessionId: 1n, lastMsgId, sentRecently: (id: bigint) => sentIds.includes(id) },
    resetSession() {
      lane.resets++
      lane.session.sessionId++
    },
  }
  return lane
}

function fakeDc(lanes: ReturnType<typeof fakeLane>[], opts: { clockMoves?: boolean } = {}) {
  let now = 0
  const log = { clock: [] as ClockEvent['type'][], rotations: 0, outbox: [] as string[], flushes: 0, synced: 0 }
  const host: ClockSyncHost = {
    lanes: new Map(lanes.map((l, i) => [String(i), l as unknown as Lane])),
    calls: { step: (e) => void log.outbox.push(e.type), flush: () => void log.flushes++ },
    service: { clockSynced: () => void log.synced++ },
    clockEvent: (e) => (log.clock.push(e.type), opts.clockMoves ?? true),
    requestRotation: () => void log.rotations++,
    now: () => now,
    serverNowS: () => T + now / 1000,
  }
  return { host, log, setNow: (ms: number) => (now = ms) }
}

describe('time-sync', () => {
  it('enc §6: a 17 for our msg_id with a usable time → clock taken; a session numbered past the server is replaced, its calls resent', () => {
    const bad = idAt(T + 120)
    const ahead = fakeLane([bad], idAt(T + 120))
    const dc = fakeDc([ahead])
    expect(onTimeNotice(dc.host, ahead as unknown as Lane, 17, bad, idAt(T))).toBe('taken')
    expect(dc.log.clock).toEqual(['bad-msg-time'])
    expect(ahead.resets).toBe(1)
    expect(dc.log.outbox).toEqual(['session-lost', 'clock-synced'])
    expect(dc.log.synced).toBe(1)
  })

  it('enc §6: a 17 whose own msg_id carries no usable time → the clock is pinned, a new key is asked for, the session renumbers at the next sync', () => {
    const bad = idAt(T)
    const lane = fakeLane([bad])
    const dc = fakeDc([lane])
    expect(onTimeNotice(dc.host, lane as unknown as Lane, 17, bad, idAt(T))).toBe('no-clock')
    expect(dc.log.clock).toEqual(['msg-ids-no-clock'])
    expect(dc.log.rotations).toBe(1)
    expect(lane.renumberOnSync).toBe(true)
    renumberSessionsAhead(dc.host)
    expect(lane.resets).toBe(1)
    expect(lane.renumberOnSync).toBe(false)
  })

  it('enc §6: a notice about a msg_id this session did not send moves nothing', () => {
    const lane = fakeLane([])
    const dc = fakeDc([lane])
    expect(onTimeNotice(dc.host, lane as unknown as Lane, 16, idAt(T - 600), idAt(T))).toBe('not-ours')
    expect(dc.log.clock).toEqual([])
  })

  it('an answer to our request resyncs the clock; sessions are looked at only when it moved', () => {
    const req = idAt(T)
    const lane = fakeLane([req])
    const still = fakeDc([lane], { clockMoves: false })
    onAnswerTime(still.host, lane as unknown as Lane, idAt(T + 1), req)
    expect(still.log.clock).toEqual(['answer'])
    expect(still.log.synced).toBe(0)
    const moved = fakeDc([lane])
    onAnswerTime(moved.host, lane as unknown as Lane, idAt(T + 1), req)
    expect(moved.log.synced).toBe(1)
    onAnswerTime(moved.host, lane as unknown as Lane, idAt(T + 1), idAt(T - 5))
    expect(moved.log.clock).toEqual(['answer'])
  })

  it('issue #18: a packet dropped for an implausible time asks for a handshake, at most one a minute', () => {
    const dc = fakeDc([])
    const badTime = new PacketError('BAD_MSG_TIME', 'msg_id time out of range')
    onLaneDownForTime(dc.host, badTime)
    dc.setNow(30_000)
    onLaneDownForTime(dc.host, badTime)
    onLaneDownForTime(dc.host, new PacketError('BAD_MSG_KEY', 'other'))
    expect(dc.log.rotations).toBe(1)
    dc.setNow(61_000)
    onLaneDownForTime(dc.host, badTime)
    expect(dc.log.rotations).toBe(2)
  })
})
