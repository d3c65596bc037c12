/**
 * Server msg_ids (encryption.md §5): ≈ now·2^32, ≡ 1 mod 4 for answers and ≡ 3 mod 4 for
 * everything else, increasing within a session. They follow the server clock, backwards
 * too: a client sets its clock from them (and from the bad_msg_notification 16/17 that
 * carry them), so ids that stayed ahead after the clock stepped back would make every
 * client that syncs to them send msg_ids "too far in the future" (issue #13).
 */
export class MsgIdSource {
  /** An unencrypted (handshake) answer belongs to no session: its id is the clock. */
  next(now: number, isAnswer: boolean): bigint {
    return withParity(ticks(now), isAnswer)
  }

  /** The id series of a new session. */
  series(): SessionMsgIds {
    return new SessionMsgIds()
  }
}

export const MSG_ID_FUTURE_S = 30
export const MSG_ID_PAST_S = 300

/** A session's ids may run this far ahead of the clock to stay increasing: the client's future window (§4.9). */
const MAX_LEAD = BigInt(MSG_ID_FUTURE_S) << 32n
/** Bits 2–5 of an id carry the session's epoch (bits 0–1 are the parity): 2^-26 s of resolution is plenty. */
const EPOCH_SHIFT = 2n
const EPOCHS = 16n
const LOW_BITS = (EPOCHS << EPOCH_SHIFT) - 1n
const STEP = LOW_BITS + 1n

/**
 * The msg_ids of one session. While the clock is at most MAX_LEAD behind the last id they
 * strictly increase (several messages in one clock tick, a clock that stepped back a
 * little). When it stepped back further, the series restarts at the clock in a new epoch:
 * ids of different epochs differ in bits 2–5, so the new series cannot repeat an id of the
 * old one even where their times overlap. Unique across 15 such steps per session, with
 * O(1) memory. Pure: the caller passes `now`.
 */
export class SessionMsgIds {
  private last: bigint | null = null
  private epoch = 0n

  next(now: number, isAnswer: boolean): bigint {
    const clock = ticks(now)
    let base = clock
    let above: bigint | null = null
    if (this.last !== null) {
      if ((this.last & ~LOW_BITS) - clock > MAX_LEAD) this.epoch = (this.epoch + 1n) % EPOCHS
      else {
        above = this.last
        if (clock < this.last) base = this.last
      }
    }
    let id = (base & ~LOW_BITS) | (this.epoch << EPOCH_SHIFT) | (isAnswer ? 1n : 3n)
    if (above !== null && id <= above) id += STEP
    this.last = id
    return id
  }
}

function ticks(now: number): bigint {
  return BigInt(Math.floor(now * 2 ** 32))
}

/** The smallest id ≥ `id` that is ≡ 1 (answer) or ≡ 3 (other) mod 4. */
function withParity(id: bigint, isAnswer: boolean): bigint {
  const want = isAnswer ? 1n : 3n
  return id + ((want - (id & 3n) + 4n) & 3n)
}

/** bad_msg_notification code for a client msg_id, or null (encryption.md §6, test-server mapping). */
export function checkClientMsgId(msgId: bigint, now: number): 16 | 17 | 18 | null {
  if ((msgId & 3n) !== 0n) return 18
  const seconds = Number(msgId >> 32n)
  if (seconds > now + MSG_ID_FUTURE_S) return 17
  if (seconds < now - MSG_ID_PAST_S) return 16
  return null
}
