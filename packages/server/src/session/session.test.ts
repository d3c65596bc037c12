import { describe, expect, it } from 'vitest'
import { SessionMsgIds } from './msg-id.ts'
import { Session, type SeenResult } from './session.ts'

function session(): Session {
  return new Session(1n, 2n, 3n, new SessionMsgIds())
}

/** Feeds [msg_id, seq_no] pairs (seq_no undefined for a container) and returns each verdict. */
function feed(s: Session, msgs: readonly (readonly [bigint, number | undefined])[]): SeenResult[] {
  return msgs.map(([id, seqno]) => s.markSeen(id, seqno))
}

/**
 * The rules of encryption.md §4 rule 8 and §6, written as a scan of every remembered message:
 * what Session.markSeen must decide without scanning. As in the server's code-35 check, any
 * seq_no that is not even counts as odd (content-related), a negative int32 from the wire too.
 */
class WholeWindowModel {
  private readonly seen: bigint[] = []
  private readonly seqnos = new Map<bigint, number>()

  markSeen(msgId: bigint, seqno?: number): SeenResult {
    if (this.seen.includes(msgId)) return 'duplicate'
    if (seqno !== undefined) {
      for (const [id, other] of this.seqnos) {
        const clash = other === seqno && seqno % 2 !== 0
        if (id < msgId && (other > seqno || clash)) return 32
        if (id > msgId && (other < seqno || clash)) return 33
      }
    }
    if (this.seen.length >= 256 && msgId < this.seen[0]!) return 'too-old'
    this.seen.push(msgId)
    this.seen.sort((a, b) => (a < b ? -1 : 1))
    if (seqno !== undefined) this.seqnos.set(msgId, seqno)
    if (this.seen.length > 256) this.seqnos.delete(this.seen.shift()!)
    return 'new'
  }
}

describe('a session remembers client msg_ids (encryption.md §4 rule 8, §6)', () => {
  const T = 0x6500000000000000n
  it.each<{ rule: string; msgs: [bigint, number | undefined][]; want: SeenResult[] }>([
    { rule: '§6: ids may arrive out of order when seq_nos agree', msgs: [[T + 8n, 3], [T + 4n, 1], [T + 12n, 4]], want: ['new', 'new', 'new'] },
    { rule: '§4 rule 8: a repeated id is a duplicate, not a new message', msgs: [[T, 1], [T, 1]], want: ['new', 'duplicate'] },
    { rule: '§6 code 32: a higher id with a lower seq_no than a lower id', msgs: [[T, 5], [T + 4n, 3]], want: ['new', 32] },
    { rule: '§6 code 33: a lower id with a higher seq_no than a higher id', msgs: [[T + 4n, 3], [T, 5]], want: ['new', 33] },
    { rule: '§6 code 32: a higher id repeats an odd seq_no', msgs: [[T, 3], [T + 4n, 3]], want: ['new', 32] },
    { rule: '§6 code 33: a lower id repeats an odd seq_no', msgs: [[T + 4n, 3], [T, 3]], want: ['new', 33] },
    { rule: '§6: even (service) seq_nos may repeat', msgs: [[T, 2], [T + 4n, 2]], want: ['new', 'new'] },
    { rule: '§6 code 32: a negative odd seq_no (an int32 off the wire) may not repeat either', msgs: [[T, -1], [T + 4n, -1]], want: ['new', 32] },
    { rule: '§6: the order holds across a container, which has no seq_no', msgs: [[T, 5], [T + 4n, undefined], [T + 8n, 3]], want: ['new', 'new', 32] },
    { rule: '§6: a refused id is not remembered, so it cannot be a duplicate later', msgs: [[T, 5], [T + 4n, 3], [T + 4n, 7]], want: ['new', 32, 'new'] },
  ])('$rule', ({ msgs, want }) => expect(feed(session(), msgs)).toEqual(want))

  it('§4 rule 8: once 256 ids are remembered, an id below all of them is too old; the lowest one is forgotten as a new one comes', () => {
    const s = session()
    const ids = Array.from({ length: 256 }, (_, i) => [T + 4n * BigInt(i + 1), 2 * i + 1] as const)
    expect(feed(s, ids).every((r) => r === 'new')).toBe(true)
    expect(s.markSeen(T, 1)).toBe(33)
    expect(s.markSeen(T, undefined)).toBe('too-old')
    expect(s.markSeen(T + 4n * 257n, 513)).toBe('new')
    expect(s.wasSeen(T + 4n)).toBe(false)
    expect(s.wasSeen(T + 8n)).toBe(true)
    expect(s.highestSeen()).toBe(T + 4n * 257n)
  })

  it('decides as a scan of the whole window would, over 10,000 messages with repeats, reordering, containers and bad seq_nos', () => {
    // xorshift32: a fixed seed, so a failure replays
    let x = 0x9e3779b9
    const rnd = (n: number): number => {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      return (x >>> 0) % n
    }
    const s = session()
    const model = new WholeWindowModel()
    let id = T
    let seqno = 1
    const verdicts = new Map<SeenResult, number>()
    const accepted: [bigint, number][] = []
    for (let n = 0; n < 10_000; n++) {
      const roll = rnd(100)
      let msgId: bigint
      let seq: number | undefined
      if (roll < 60) {
        id += 4n * BigInt(1 + rnd(3))
        msgId = id
        seq = seqno
        seqno += 2
      } else if (roll < 70) {
        msgId = id - 4n * BigInt(rnd(1500))
        seq = undefined
      } else if (roll < 80) {
        msgId = id - 4n * BigInt(rnd(300))
        seq = seqno - 2 * rnd(300)
      } else if (roll < 90 && accepted.length > 0) {
        // next to a remembered message, with its seq_no: the odd-clash rule on either side
        const [nearId, nearSeq] = accepted[accepted.length - 1 - rnd(Math.min(300, accepted.length))]!
        msgId = nearId + (rnd(2) === 0 ? -4n : 4n)
        seq = nearSeq
      } else {
        id += 4n
        msgId = id
        seq = seqno - 1 + rnd(3) - 2 * rnd(2) * rnd(5)
      }
      const got = s.markSeen(msgId, seq)
      if (got === 'new' && seq !== undefined) accepted.push([msgId, seq])
      expect(got, `message ${n}: ${msgId} seq_no ${seq}`).toBe(model.markSeen(msgId, seq))
      verdicts.set(got, (verdicts.get(got) ?? 0) + 1)
    }
    // every verdict occurs often enough that each branch was compared
    for (const v of ['new', 'duplicate', 'too-old', 32, 33] as const) expect(verdicts.get(v) ?? 0, String(v)).toBeGreaterThan(100)
  })
})
