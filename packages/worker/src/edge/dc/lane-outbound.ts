/**
 * What a lane sends in one go, numbered and packed (mtproto-tl.md §4 msg_container): several
 * messages share one container when policy/session/batch sharesContainer allows, otherwise
 * each goes alone.
 */
import { constructorId, type TlRaw } from '@pfs-web/tl/client'
import { INNER_HEADER_BYTES, sharesContainer } from '../../policy/session/batch.ts'
import type { MessageKind } from '../../policy/session/seqno.ts'
import type { MtSession, OutMessage } from './mt-session.ts'

export interface Outgoing {
  kind: MessageKind
  /** The boxed body, or a builder for bodies that must embed their own msg_id (the bind). */
  body: Uint8Array | ((msgId: bigint) => Uint8Array)
}

export interface Sent {
  msgId: bigint
  containerId: bigint | null
  sessionId: bigint
}

/**
 * Numbers every item in `session` (a builder gets its own msg_id) and packs them: the
 * packets to seal, in order, and what was sent for the first `reported` items (the rest
 * are riders such as acks).
 */
export function numberAndPack(
  items: readonly Outgoing[],
  reported: number,
  session: MtSession,
  serverNowS: number,
  taken: (id: bigint) => boolean,
): { packets: OutMessage[]; sent: Sent[] } {
  const messages: OutMessage[] = []
  for (const item of items) {
    const numbered = session.number(item.kind, new Uint8Array(0), serverNowS, taken)
    numbered.body = typeof item.body === 'function' ? item.body(numbered.msgId) : item.body
    messages.push(numbered)
  }
  const outer = sharesContainer(messages.map((m) => m.body.length)) ? session.number('msg-container', containerBytes(messages), serverNowS, taken) : null
  const sent = messages.slice(0, reported).map((m) => ({ msgId: m.msgId, containerId: outer?.msgId ?? null, sessionId: session.sessionId }))
  return { packets: outer ? [outer] : messages, sent }
}

const MSG_CONTAINER = constructorId('msg_container')

/**
 * msg_container#73f1f8dc messages:vector<%Message> (mtproto-tl.md §4), written straight
 * into one buffer of its exact size: the bodies are boxed TL already, and building the
 * container as objects for the codec cost a call at 1 in flight (an ack rides with it).
 */
export function containerBytes(messages: readonly OutMessage[]): Uint8Array {
  let size = 8
  for (const m of messages) size += INNER_HEADER_BYTES + m.body.length
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  view.setUint32(0, MSG_CONTAINER, true)
  view.setUint32(4, messages.length, true)
  let at = 8
  for (const m of messages) {
    view.setBigInt64(at, m.msgId, true)
    view.setInt32(at + 8, m.seqno, true)
    view.setInt32(at + 12, m.body.length, true)
    out.set(m.body, at + INNER_HEADER_BYTES)
    at += INNER_HEADER_BYTES + m.body.length
  }
  return out
}

/** A boxed body carried opaquely inside a container (its id is its first word). */
export function rawOf(body: Uint8Array): TlRaw {
  const id = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true)
  return { _: 'raw', id, bytes: body }
}
