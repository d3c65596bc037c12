/**
 * seq_no for outgoing messages (encryption.md §5 "seq_no"): content-related messages
 * get 2n+1 and advance n; the rest get 2n.
 */

/**
 * What a message carries. Classify by the object, not its wrapper: an RPC query
 * compressed with gzip_packed is still 'rpc-query'; 'gzip-packed' is for a bare
 * gzip_packed the digest lists as never content-related.
 */
export type MessageKind =
  | 'rpc-query'
  | 'ping'
  | 'ping-delay-disconnect'
  | 'get-future-salts'
  | 'msgs-state-req'
  | 'msg-resend-req'
  | 'destroy-session'
  | 'msgs-ack'
  | 'msg-container'
  | 'msg-copy'
  | 'gzip-packed'
  | 'http-wait'

const NOT_CONTENT_RELATED: ReadonlySet<MessageKind> = new Set<MessageKind>([
  // error 34 if odd (encryption.md §5, §6)
  'msgs-ack',
  'msg-container',
  'msg-copy',
  'gzip-packed',
  // long-poll hint only; expects no answer and needs no ack
  'http-wait',
])

export function isContentRelated(kind: MessageKind): boolean {
  return !NOT_CONTENT_RELATED.has(kind)
}

/** `sent` is n: the number of content-related messages sent in this session. */
export interface SeqnoState {
  readonly sent: number
}

export const NEW_SESSION_SEQNO: SeqnoState = { sent: 0 }

export function nextSeqno(state: SeqnoState, kind: MessageKind): { seqno: number; state: SeqnoState } {
  if (isContentRelated(kind)) return { seqno: state.sent * 2 + 1, state: { sent: state.sent + 1 } }
  return { seqno: state.sent * 2, state }
}
