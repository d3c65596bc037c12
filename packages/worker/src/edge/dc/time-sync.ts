/**
 * Keeping the server clock right when it moves (encryption.md §5 msg_id, §6 codes 16/17;
 * issue #6 clock skew): what a time notice or an answer means for the clock, and what a
 * clock that moved back means for sessions that already numbered msg_ids past it.
 */
import { PacketError } from '../../errors.ts'
import { aheadOfServer, timeDisputeHandshake, timeNoticeConsistent, type ClockEvent } from '../../policy/session/msg-id.ts'
import type { CallDriver } from './calls.ts'
import type { Lane } from './lane.ts'
import type { ServiceRequests } from './service-requests.ts'

/** What keeping the clock needs of its DC. */
export interface ClockSyncHost {
  readonly lanes: ReadonlyMap<string, Lane>
  readonly calls: Pick<CallDriver, 'step' | 'flush'>
  readonly service: Pick<ServiceRequests, 'clockSynced'>
  /** The server clock's one writer; true when the clock moved. */
  clockEvent(event: ClockEvent, at?: number): boolean
  /** Asks the temp-key policy for a new key now (its handshake brings server_time). */
  requestRotation(): void
  now(): number
  serverNowS(): number
}

/**
 * bad_msg_notification 16/17 for a msg_id `lane` really sent: take the notification's
 * time if it carries one; if it contradicts itself, the clock is pinned and a new temp
 * key's handshake brings the server's own server_time (and the resync that follows it).
 */
export function onTimeNotice(dc: ClockSyncHost, lane: Lane, code: 16 | 17, badMsgId: bigint, serverMsgId: bigint): 'no-clock' | 'taken' | 'not-ours' {
  if (!lane.session.sentRecently(badMsgId)) return 'not-ours'
  if (!timeNoticeConsistent(code, badMsgId, serverMsgId)) {
    // answers carry the same msg_ids: they must not move the clock back to where it is wrong
    dc.clockEvent({ type: 'msg-ids-no-clock' })
    // TDLib drops the session on a 17: its ids are ahead of the server, whatever our clock
    // (one second ahead of a handshake's server_time) thinks at the next sync
    if (code === 17) lane.renumberAtNextSync()
    dc.requestRotation()
    return 'no-clock'
  }
  dc.clockEvent({ type: 'bad-msg-time', code, serverMsgId })
  renumberSessionsAhead(dc)
  return 'taken'
}

/** rpc_result or pong answering `requestMsgId`, which `lane` sent: TDLib's answer resync. */
export function onAnswerTime(dc: ClockSyncHost, lane: Lane, serverMsgId: bigint, requestMsgId: bigint): void {
  if (!lane.session.sentRecently(requestMsgId)) return
  if (dc.clockEvent({ type: 'answer', serverMsgId, requestMsgId })) renumberSessionsAhead(dc)
}

/**
 * After the clock moved back, a session's msg_ids must still grow (§5), so a session that
 * numbered ids past the server's window would keep drawing rejected ones: such a session
 * is replaced by a new one and its unanswered calls are resent there (as for bad_msg 32/33).
 */
export function renumberSessionsAhead(dc: ClockSyncHost): void {
  const serverNowS = dc.serverNowS()
  for (const lane of dc.lanes.values()) {
    const renumber = lane.takeRenumber()
    if (!renumber && !aheadOfServer(lane.session.lastMsgId, serverNowS)) continue
    const old = lane.session.sessionId
    lane.resetSession()
    dc.calls.step({ type: 'session-lost', sessionId: old })
  }
  // every caller took a good time: calls held for one (outbox 'await-clock') may go
  dc.service.clockSynced()
  dc.calls.step({ type: 'clock-synced' })
  dc.calls.flush()
}

/**
 * A packet dropped for an implausible msg_id time (lane BAD_MSG_TIME, issue #18): nothing in
 * it is used, but the server and we disagree by days, and only a handshake's server_time
 * can settle who is wrong. Without one, a clock a hostile handshake set days off would
 * refuse every honest time notice until the temp key's planned renewal, up to a day later.
 * At most one such handshake per TIME_DISPUTE_HANDSHAKE_EVERY_MS.
 */
export function onLaneDownForTime(dc: ClockSyncHost, error: Error): void {
  if (!(error instanceof PacketError && error.code === 'BAD_MSG_TIME')) return
  const now = dc.now()
  if (!timeDisputeHandshake(lastDisputeHandshake.get(dc) ?? null, now)) return
  lastDisputeHandshake.set(dc, now)
  dc.requestRotation()
}

/** When each DC last started a handshake over a time dispute. */
const lastDisputeHandshake = new WeakMap<ClockSyncHost, number>()
