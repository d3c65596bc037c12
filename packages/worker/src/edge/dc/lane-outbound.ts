/**
 * What a lane sends in one go, numbered and packed (mtproto-tl.md §4 msg_container): several
 * messages share one container when policy/session/batch sharesContainer allows, otherwise
 * each goes alone.
 */
import { serializeObject, type TlRaw } from '@pfs-web/tl/client'
import { sharesContainer } from '../../policy/session/batch.ts'
import type { MessageKind } from '../../policy/session/seqno.ts'
import type { MtSession, OutMessage } from './mt-session.ts'

export interface Outgoing {
  kind: MessageKind
  /** The boxed body, or a builder for bodies that must embed their own msg_id (the bind). */
  body: Uint8Array | ((msgId: bigint) => Promise<Uint8Array>)
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
export async function numberAndPack(
  items: readonly Outgoing[],
  reported: number,
  session: MtSession,
  serverNowS: number,
  taken: (id: bigint) => boolean,
): Promise<{ packets: OutMessage[]; sent: Sent[] }> {
  const messages: OutMessage[] = []
  for (const item of items) {
    const numbered = session.number(item.kind, new Uint8Array(0), serverNowS, taken)
    numbered.body = typeof item.body === 'function' ? await item.body(numbered.msgId) : item.body
    messages.push(numbered)
  }
  if (!sharesContainer(messages.map((m) => m.body.length))) {
    const sent = messages.slice(0, reported).map((m) => ({ msgId: m.msgId, containerId: null, sessionId: session.sessionId }))
    return { packets: messages, sent }
  }
  const container = serializeObject({
    _: 'msg_container',
    messages: messages.map((m) => ({ msg_id: m.msgId, seqno: m.seqno, bytes: m.body.length, body: rawOf(m.body) })),
  })
  const outer = session.number('msg-container', container, serverNowS, taken)
  const sent = messages.slice(0, reported).map((m) => ({ msgId: m.msgId, containerId: outer.msgId, sessionId: session.sessionId }))
  return { packets: [outer], sent }
}

/** A boxed body carried opaquely inside a container (its id is its first word). */
export function rawOf(body: Uint8Array): TlRaw {
  const id = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true)
  return { _: 'raw', id, bytes: body }
}
