/**
 * Server msg_ids: ≈ now·2^32, strictly increasing, ≡ 1 mod 4 for answers and ≡ 3 mod 4
 * for everything else (encryption.md §5).
 */
export class MsgIdSource {
  private last = 0n

  next(now: number, isAnswer: boolean): bigint {
    let id = BigInt(Math.floor(now * 2 ** 32))
    if (id <= this.last) id = this.last + 1n
    const want = isAnswer ? 1n : 3n
    while ((id & 3n) !== want) id++
    this.last = id
    return id
  }
}

export const MSG_ID_FUTURE_S = 30
export const MSG_ID_PAST_S = 300

/** bad_msg_notification code for a client msg_id, or null (encryption.md §6, test-server mapping). */
export function checkClientMsgId(msgId: bigint, now: number): 16 | 17 | 18 | null {
  if ((msgId & 3n) !== 0n) return 18
  const seconds = Number(msgId >> 32n)
  if (seconds > now + MSG_ID_FUTURE_S) return 17
  if (seconds < now - MSG_ID_PAST_S) return 16
  return null
}
