import type { SessionMsgIds } from './msg-id.ts'

/** How many client msg_ids a session remembers for duplicate detection (encryption.md §4 rule 8). */
const SEEN_WINDOW = 256
const STORED_ANSWERS = 64

export type SeenResult = 'new' | 'duplicate' | 'too-old'

/**
 * One (auth_key_id, session_id) pair: the server's content counter for seq_no, its own
 * msg_id series, the client msg_ids already seen, and recent answers so a duplicate gets
 * the same reply.
 */
export class Session {
  private contentSent = 0
  private readonly seen: bigint[] = []
  private readonly seqnos = new Map<bigint, number>()
  private readonly answers = new Map<bigint, Buffer>()

  constructor(
    readonly authKeyId: bigint,
    readonly sessionId: bigint,
    readonly uniqueId: bigint,
    readonly msgIds: SessionMsgIds,
  ) {}

  nextSeqno(contentRelated: boolean): number {
    if (!contentRelated) return this.contentSent * 2
    return this.contentSent++ * 2 + 1
  }

  /** Records a client msg_id (and its seq_no, when given), keeping the newest SEEN_WINDOW ids. */
  markSeen(msgId: bigint, seqno?: number): SeenResult {
    if (this.seen.includes(msgId)) return 'duplicate'
    if (this.seen.length >= SEEN_WINDOW && msgId < this.seen[0]!) return 'too-old'
    let i = this.seen.length
    while (i > 0 && this.seen[i - 1]! > msgId) i--
    this.seen.splice(i, 0, msgId)
    if (seqno !== undefined) this.seqnos.set(msgId, seqno)
    if (this.seen.length > SEEN_WINDOW) this.seqnos.delete(this.seen.shift()!)
    return 'new'
  }

  /**
   * seq_no order against the remembered messages (encryption.md §6): 32 when a lower msg_id
   * came with a higher (or the same odd) seq_no, 33 when a higher msg_id came with a lower
   * (or the same odd) one.
   */
  seqnoError(msgId: bigint, seqno: number): 32 | 33 | null {
    for (const [id, other] of this.seqnos) {
      const clash = other === seqno && seqno % 2 === 1
      if (id < msgId && (other > seqno || clash)) return 32
      if (id > msgId && (other < seqno || clash)) return 33
    }
    return null
  }

  wasSeen(msgId: bigint): boolean {
    return this.seen.includes(msgId)
  }

  highestSeen(): bigint | null {
    return this.seen[this.seen.length - 1] ?? null
  }

  storeAnswer(reqMsgId: bigint, body: Buffer): void {
    this.answers.set(reqMsgId, body)
    if (this.answers.size > STORED_ANSWERS) this.answers.delete(this.answers.keys().next().value as bigint)
  }

  storedAnswer(reqMsgId: bigint): Buffer | undefined {
    return this.answers.get(reqMsgId)
  }

  hasAnswer(reqMsgId: bigint): boolean {
    return this.answers.has(reqMsgId)
  }
}
