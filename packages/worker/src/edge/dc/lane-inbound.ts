/**
 * What of an opened packet a lane may use (encryption.md §4): the messages of a container
 * (never a nested one), each with a plausible time if it is exempt from the msg_id window,
 * and each passing the session's received-id window. A bad one throws PacketError, and the
 * lane drops the connection.
 */
import { TlReader, decodeObject, type TlObject } from '@pfs-web/tl/client'
import { PacketError } from '../../errors.ts'
import { clockPlausibility, serverTimeFromMsgId } from '../../policy/session/msg-id.ts'
import type { InMessage, MtSession } from './mt-session.ts'

export interface Received {
  msgId: bigint
  seqno: number
  obj: TlObject
}

/**
 * Yields the messages to use, in order. Lazily: a message is checked against the window only
 * after the one before it was used, as it would be had they come in separate packets.
 */
export function* usableMessages(top: InMessage, session: MtSession, serverNow: number): Generator<Received> {
  const messages: Received[] = []
  const obj = decodeObject(new TlReader(top.body))
  if (obj._ === 'msg_container') {
    // mtproto-tl.md §4: containers cannot be nested; an inner one is dropped unread
    for (const m of obj.messages) if (m.body._ !== 'msg_container') messages.push({ msgId: m.msg_id, seqno: m.seqno, obj: m.body })
  } else {
    messages.push({ msgId: top.msgId, seqno: top.seqno, obj })
  }
  // Before anything of the packet is used: a message taken whatever its time (it may move
  // the clock) must still carry a plausible one (policy/session/msg-id clockPlausibility).
  // Asked once per message: the sent-id lookup behind it is a call's costliest check (#17).
  const exempt = messages.map((m) => timeExempt(m.obj, session))
  for (const [i, m] of messages.entries()) {
    if (!exempt[i]) continue
    const verdict = clockPlausibility(serverTimeFromMsgId(m.msgId), serverNow)
    if (verdict !== 'plausible') throw new PacketError('BAD_MSG_TIME', `${m.obj._} msg_id time: ${verdict}`)
  }
  for (const [i, m] of messages.entries()) {
    const timing = exempt[i] ? 'time-exempt' : 'windowed'
    const verdict = session.received.check({ sessionId: session.sessionId, msgId: m.msgId, timing }, serverNow)
    if (verdict.verdict === 'reject') throw new PacketError('BAD_MSG_ID', verdict.reason)
    if (verdict.verdict === 'ignore') continue
    yield m
  }
}

/**
 * Messages processed whatever their msg_id time (encryption.md §4.9): the service
 * notices that fix the clock, and answers to requests this session really sent — an
 * authentic answer to our own request is how a clock that drifted out of the window is
 * found out (dispatch resyncs from it), so it must not be dropped for being off. Off
 * by more than is plausible, though, it drops the whole packet.
 */
function timeExempt(obj: TlObject, session: MtSession): boolean {
  switch (obj._) {
    case 'bad_server_salt':
    case 'bad_msg_notification':
      return true
    case 'rpc_result':
      return session.sentRecently(obj.req_msg_id)
    case 'pong':
      return session.sentRecently(obj.msg_id)
    default:
      return false
  }
}
