/**
 * What each received message means (mtproto-tl.md §4, encryption.md §5–6): answers go to
 * the calls or to a waiting service request, service notifications update salts, clock
 * and the outbox, and anything else is a server-initiated update for onUpdate listeners.
 */
import { TransportError } from '@pfs-web/errors'
import { serializeObject } from '@pfs-web/tl/client'
import type { KeyEvent } from '../../api.ts'
import type { KeyHandle } from '../../keys/key-store.ts'
import type { TempKeyState } from '../../policy/pfs/key-slots.ts'
import { classify404, LOSS_CAUSE } from '../../policy/pfs/recovery.ts'
import type { TempKeyEvent } from '../../policy/pfs/temp-key-policy.ts'
import type { CallDriver } from './calls.ts'
import type { DcHooks } from './dc-hooks.ts'
import type { DcReport } from './dc-report.ts'
import type { Lane, Received } from './lane.ts'
import type { ServiceRequests } from './service-requests.ts'
import { onAnswerTime, onTimeNotice, type ClockSyncHost } from './time-sync.ts'

/** What reading a message needs of its DC. */
export interface DispatchHost extends ClockSyncHost {
  readonly dcId: number
  readonly hooks: DcHooks
  readonly calls: CallDriver
  readonly service: ServiceRequests
  setError(err: unknown): void
  /** Updates may have been lost on `lane`'s session: the embedder should fetch the difference. */
  updateGap(lane: Lane, reason: 'updates-too-long' | 'new-session'): void
}


/** What a -404 on a lane's key needs of its DC. */
export interface NotFoundHost {
  readonly hooks: DcHooks
  readonly report: Pick<DcReport, 'saw404' | 'setError'>
  readonly tempKeys: { readonly state: TempKeyState; step(event: TempKeyEvent): void }
  serverNowS(): number
  event(kind: KeyEvent['kind'], key: KeyHandle | null): KeyEvent
}

/**
 * Transport -404 on `lane`'s key: the server does not know it. Which key it hit says what
 * happened (policy/pfs/recovery classify404); the view shows that cause, and the temp-key
 * policy decides what follows.
 */
export function onKeyNotFound(dc: NotFoundHost, lane: Lane): void {
  dc.report.saw404({ at: Math.floor(dc.serverNowS()), cause: LOSS_CAUSE[classify404(dc.tempKeys.state, lane.key.idHex).case] })
  dc.hooks.keyEvent(dc.event('not-found-404', lane.key))
  dc.report.setError(new TransportError(-404, 'temp key not found'))
  dc.tempKeys.step({ type: 'transport-404', keyId: lane.key.idHex })
}

export function dispatch(dc: DispatchHost, lane: Lane, msg: Received): void {
  const obj = msg.obj
  switch (obj._) {
    case 'rpc_result': {
      onAnswerTime(dc, lane, msg.msgId, obj.req_msg_id)
      if (dc.service.answer(obj.req_msg_id, obj.result)) return
      dc.calls.onResult(lane, obj.req_msg_id, obj.result).catch((err: unknown) => dc.setError(err))
      return
    }
    case 'new_session_created':
      lane.salt({ type: 'new-session-created', salt: obj.server_salt })
      dc.calls.step({ type: 'new-session-created', sessionId: lane.session.sessionId, firstMsgId: obj.first_msg_id })
      dc.updateGap(lane, 'new-session')
      return
    case 'bad_server_salt':
      lane.salt({ type: 'bad-server-salt', newSalt: obj.new_server_salt })
      dc.service.resend(obj.bad_msg_id)
      dc.calls.step({ type: 'bad-msg', badMsgId: obj.bad_msg_id, code: obj.error_code })
      dc.calls.flush()
      return
    case 'bad_msg_notification': {
      // a notice that cannot fix our clock: resending now would draw the same notice (issue #18)
      const awaitClock = (obj.error_code === 16 || obj.error_code === 17) && onTimeNotice(dc, lane, obj.error_code, obj.bad_msg_id, msg.msgId) === 'no-clock'
      if (obj.error_code === 32 || obj.error_code === 33) {
        // seq_no out of step: the session is unusable; resend everything in a new one
        const old = lane.session.sessionId
        lane.resetSession()
        dc.calls.step({ type: 'session-lost', sessionId: old })
      }
      if (awaitClock) dc.service.holdForClock(obj.bad_msg_id)
      else dc.service.resend(obj.bad_msg_id)
      dc.calls.step({ type: 'bad-msg', badMsgId: obj.bad_msg_id, code: obj.error_code, awaitClock })
      dc.calls.flush()
      dc.hooks.changed()
      return
    }
    case 'future_salts':
      lane.salt({ type: 'future-salts', salts: obj.salts.map((s) => ({ salt: s.salt, validSince: s.valid_since, validUntil: s.valid_until })) })
      return
    case 'pong':
      onAnswerTime(dc, lane, msg.msgId, obj.msg_id)
      return
    case 'msgs_ack':
    case 'msg_detailed_info':
    case 'msg_new_detailed_info':
    case 'msgs_state_info':
    case 'msgs_all_info':
    case 'destroy_session_ok':
    case 'destroy_session_none':
      return
    default:
      dc.hooks.update(dc.dcId, obj._ === 'raw' ? obj.bytes : serializeObject(obj))
      // too many updates to push: the embedder fetches the difference
      if (obj._ === 'updatesTooLong') dc.updateGap(lane, 'updates-too-long')
  }
}
