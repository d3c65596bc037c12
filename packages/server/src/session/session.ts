import type { SessionMsgIds } from './msg-id.ts'

/** How many client msg_ids a session remembers for duplicate detection (encryption.md §4 rule 8). */
const SEEN_WINDOW = 256
const STORED_ANSWERS = 64

/** A new id is recorded; the others are not (20 and 32/33 are their bad_msg_notification codes). */
export type SeenResult = 'new' | 'duplicate' | 'too-old' | 32 | 33

/**
 * One (auth_key_id, session_id) pair: the server's content counter for seq_no, its own
 * msg_id series, the client msg_ids already seen, and recent answers so a duplicate gets
 * the same reply.
 */
export class Session {
  private contentSent = 0
  /** The remembered client msg_ids in ascending order, with each one's seq_no when it came with one. */
  private readonly ids: bigint[] = []
  private readonly seqs: (number | undefined)[] = []
  /** The same ids, so that a lookup costs a constant per message and not a scan of the window. */
  private readonly idSet = new Set<bigint>()
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

  /**
   * Records a client msg_id unless it repeats one (a duplicate), its seq_no is out of order
   * (encryption.md §6: 32 when a lower msg_id came with a higher or the same odd seq_no, 33
   * when a higher msg_id came with a lower or the same odd one), or it is below a full window
   * (too old). Keeps the newest SEEN_WINDOW ids.
   *
   * Only ids that passed the order check are recorded, so the remembered seq_nos never
   * decrease as msg_ids grow and no odd one repeats: the nearest seq_no on each side of the
   * new id decides for the whole window.
   */
  markSeen(msgId: bigint, seqno?: number): SeenResult {
    if (this.idSet.has(msgId)) return 'duplicate'
    let i = this.ids.length
    while (i > 0 && this.ids[i - 1]! > msgId) i--
    if (seqno !== undefined) {
      const below = this.nearestSeqno(i - 1, -1)
      if (below !== undefined && (below > seqno || clash(below, seqno))) return 32
      const above = this.nearestSeqno(i, 1)
      if (above !== undefined && (above < seqno || clash(above, seqno))) return 33
    }
    if (this.ids.length >= SEEN_WINDOW && i === 0) return 'too-old'
    this.ids.splice(i, 0, msgId)
    this.seqs.splice(i, 0, seqno)
    this.idSet.add(msgId)
    if (this.ids.length > SEEN_WINDOW) {
      this.idSet.delete(this.ids.shift()!)
      this.seqs.shift()
    }
    return 'new'
  }

  wasSeen(msgId: bigint): boolean {
    return this.idSet.has(msgId)
  }

  highestSeen(): bigint | null {
    return this.ids[this.ids.length - 1] ?? null
  }

  /** The first seq_no found walking from index `from` in direction `step` (containers have none). */
  private nearestSeqno(from: number, step: 1 | -1): number | undefined {
    for (let j = from; j >= 0 && j < this.seqs.length; j += step) {
      const s = this.seqs[j]
      if (s !== undefined) return s
    }
    return undefined
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

/** Two messages may not share an odd (content-related) seq_no. */
function clash(other: number, seqno: number): boolean {
  return other === seqno && seqno % 2 !== 0
}
