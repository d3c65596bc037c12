import { serializeObject, type TlObject } from '@pfs-web/tl'
import type { Session } from './session.ts'

export interface Outgoing {
  body: TlObject
  /** Content-related messages get an odd seq_no and need an ack (encryption.md §5). */
  content: boolean
  /** Answers to a client message get msg_id ≡ 1 mod 4, the rest ≡ 3. */
  answer: boolean
}

export interface SealedMessage {
  msgId: bigint
  seqno: number
  body: Buffer
}

/**
 * Turns the messages one incoming packet produced into one outgoing message: alone, or a
 * msg_container (even seq_no, msg_id above its contents) when there are several.
 */
export function packOutgoing(out: Outgoing[], session: Session, now: number): SealedMessage | null {
  const ids = session.msgIds
  if (out.length === 0) return null
  const sealed = out.map((o) => ({
    msgId: ids.next(now, o.answer),
    seqno: session.nextSeqno(o.content),
    body: Buffer.from(serializeObject(o.body)),
  }))
  if (sealed.length === 1) return sealed[0]!
  const container = serializeObject({
    _: 'msg_container',
    messages: sealed.map((m, i) => ({
      msg_id: m.msgId,
      seqno: m.seqno,
      bytes: m.body.length,
      body: out[i]!.body,
    })),
  })
  return { msgId: ids.next(now, false), seqno: session.nextSeqno(false), body: Buffer.from(container) }
}
