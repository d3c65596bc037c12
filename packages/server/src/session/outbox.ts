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
 * The most message bytes one outgoing container holds. A batch of calls may ask for several
 * 512 KiB file parts at once; packed into one container their answers would pass the 2 MiB
 * frame limit both sides enforce, and the client would drop the frame and every answer in it.
 */
export const MAX_CONTAINER_BYTES = 1024 * 1024
/** mtproto-tl.md §4: at most 1024 messages per container. */
const MAX_CONTAINER_MESSAGES = 1024
/** msg_id, seqno and length in front of each inner message. */
const INNER_HEADER = 16

function seal(out: Outgoing, session: Session, now: number): SealedMessage {
  return {
    msgId: session.msgIds.next(now, out.answer),
    seqno: session.nextSeqno(out.content),
    body: Buffer.from(serializeObject(out.body)),
  }
}

function wrap(group: SealedMessage[], bodies: TlObject[], session: Session, now: number): SealedMessage {
  if (group.length === 1) return group[0]!
  const container = serializeObject({
    _: 'msg_container',
    messages: group.map((m, i) => ({ msg_id: m.msgId, seqno: m.seqno, bytes: m.body.length, body: bodies[i]! })),
  })
  return { msgId: session.msgIds.next(now, false), seqno: session.nextSeqno(false), body: Buffer.from(container) }
}

/**
 * Turns the messages one incoming packet produced into outgoing messages, in order: each
 * alone, or several in a msg_container (even seq_no, msg_id above its contents) while they
 * fit MAX_CONTAINER_BYTES and the 1024-message limit.
 */
export function packOutgoing(out: Outgoing[], session: Session, now: number): SealedMessage[] {
  const packed: SealedMessage[] = []
  let group: SealedMessage[] = []
  let bodies: TlObject[] = []
  let bytes = 0
  const close = (): void => {
    if (group.length > 0) packed.push(wrap(group, bodies, session, now))
    group = []
    bodies = []
    bytes = 0
  }
  for (const o of out) {
    const sealed = seal(o, session, now)
    const size = INNER_HEADER + sealed.body.length
    if (group.length > 0 && (bytes + size > MAX_CONTAINER_BYTES || group.length === MAX_CONTAINER_MESSAGES)) close()
    group.push(sealed)
    bodies.push(o.body)
    bytes += size
  }
  close()
  return packed
}
