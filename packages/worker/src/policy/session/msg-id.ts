/**
 * Outgoing msg_id generation and the client's view of server time
 * (encryption.md §5 "msg_id", §6 codes 16/17).
 *
 * Time is the local monotonic `now` (ms) plus an offset learned from the server;
 * nothing here reads a clock.
 */

const TWO_32 = 4294967296n
const LOW_32 = TWO_32 - 1n
/** TDLib: an answer whose msg_id is this far below the request's means our clock is ahead. */
const ANSWER_SKEW_RESYNC = 15n * TWO_32
/** encryption.md §4.9 / §6: the windows both sides apply to the other's msg_ids. */
const FUTURE_S = 30
const PAST_S = 300

/**
 * Plausible server times (issue #18): 2013-01-01, before any MTProto 2.0 server ran, up to
 * 2037-01-01, a year short of where a msg_id's time part (its high 32 bits, signed) runs out.
 * A clock outside them is a hostile or broken server, and taking it wedged the engine.
 */
export const EARLIEST_SERVER_TIME_S = 1_356_998_400
export const LATEST_SERVER_TIME_S = 2_114_380_800
/**
 * How far a clock step read from msg_ids (bad_msg 16/17, an answer's skew) may move the clock
 * from the last good sync. The clock-offset tests skew a day; a real server is seconds off.
 */
export const MAX_CLOCK_STEP_S = 3 * 86_400
/** The largest time part nextMsgId writes: msg_ids stay positive int64s. */
const MAX_ID_TIME_S = 2 ** 31 - 1

/**
 * A packet dropped for an implausible time asks for a handshake (its server_time settles
 * the dispute) at most this often: a hostile server must not buy a DH exchange per packet.
 */
export const TIME_DISPUTE_HANDSHAKE_EVERY_MS = 60_000

export type ClockPlausibility = 'plausible' | 'before-2013' | 'after-2036' | 'too-far-from-sync'

export type ServerClock =
  | { sync: 'unsynced'; offsetS: number }
  /**
   * 'pinned': the server's msg_ids proved to be no clock (a 16/17 that contradicts
   * itself), so only handshake server_time sets the offset, until a self-consistent
   * 16/17 shows its msg_ids tell the time again.
   */
  | { sync: 'synced'; offsetS: number; source: 'handshake' | 'bad-msg' | 'answer-skew' | 'pinned' }

export type ClockEvent =
  /** server_time from server_DH_inner_data, taken at local `now`. */
  | { type: 'handshake'; serverTime: number }
  /** bad_msg_notification 16/17: `serverMsgId` is the msg_id of the message that carried it. */
  | { type: 'bad-msg-time'; code: 16 | 17; serverMsgId: bigint }
  /** rpc_result or pong: its own msg_id and the msg_id of our request it answers. */
  | { type: 'answer'; serverMsgId: bigint; requestMsgId: bigint }
  /** A bad_msg 16/17 whose own msg_id contradicts it (see timeNoticeConsistent). */
  | { type: 'msg-ids-no-clock' }
  /** The client slept this long unseen by the monotonic clock (policy/session/wall-watch.ts). */
  | { type: 'slept'; seconds: number }

export const UNSYNCED: ServerClock = { sync: 'unsynced', offsetS: 0 }

/** Server unix time in seconds (with fraction) at local monotonic `now` (ms). */
export function serverNow(clock: ServerClock, now: number): number {
  return now / 1000 + clock.offsetS
}

/** The server's clock reading encoded in a msg_id: `msg_id >> 32` (encryption.md §5). */
export function serverTimeFromMsgId(msgId: bigint): number {
  return Number(msgId >> 32n)
}

/**
 * Whether the server may tell us it is `candidateS` o'clock. `currentS` is what our clock
 * reads now, the last good sync carried forward; null for a handshake's server_time, which
 * is itself the good sync and only has to lie in the absolute range.
 */
export function clockPlausibility(candidateS: number, currentS: number | null): ClockPlausibility {
  if (!(candidateS >= EARLIEST_SERVER_TIME_S)) return 'before-2013'
  if (candidateS > LATEST_SERVER_TIME_S) return 'after-2036'
  if (currentS !== null && Math.abs(candidateS - currentS) > MAX_CLOCK_STEP_S) return 'too-far-from-sync'
  return 'plausible'
}

/** Whether a time dispute at local `now` (ms) may start a handshake, the last one having been at `lastAt`. */
export function timeDisputeHandshake(lastAt: number | null, now: number): boolean {
  return lastAt === null || now - lastAt >= TIME_DISPUTE_HANDSHAKE_EVERY_MS || now < lastAt
}

/**
 * Applies a time source; returns the same object when nothing changes. A time that is not
 * plausible (clockPlausibility) is not taken: the edge drops such a packet before it gets
 * here, and the clock must stay where nextMsgId and the timers can use it regardless.
 */
export function stepClock(clock: ServerClock, event: ClockEvent, now: number): ServerClock {
  const localS = now / 1000
  const currentS = serverNow(clock, now)
  switch (event.type) {
    case 'handshake':
      // server_time is whole seconds, cut down: the server's clock read [t, t + 1) when it
      // wrote it. Counting from t + 1 keeps the estimate at or just ahead of the server, so
      // a temp key is never used past the server's expires_at for our clock's sake (issue
      // #11: 5 s keys met -404 by up to a second); msg_ids tolerate 30 s ahead.
      if (clockPlausibility(event.serverTime, null) !== 'plausible') return clock
      return { sync: 'synced', offsetS: event.serverTime + 1 - localS, source: isPinned(clock) ? 'pinned' : 'handshake' }
    case 'slept':
      // the server's clock ran on while ours stood still; whatever synced it stays valid
      return { ...clock, offsetS: clock.offsetS + event.seconds }
    case 'msg-ids-no-clock':
      // only a synced clock can be pinned: pinning must not make a guessed offset look synced
      return clock.sync === 'synced' ? { ...clock, source: 'pinned' } : clock
    case 'bad-msg-time':
      if (clockPlausibility(serverTimeFromMsgId(event.serverMsgId), currentS) !== 'plausible') return clock
      return { sync: 'synced', offsetS: serverTimeFromMsgId(event.serverMsgId) - localS, source: 'bad-msg' }
    case 'answer': {
      if (isPinned(clock)) return clock
      const answerS = serverTimeFromMsgId(event.serverMsgId)
      if (clockPlausibility(answerS, currentS) !== 'plausible') return clock
      const ourS = currentS
      const behind = event.serverMsgId + ANSWER_SKEW_RESYNC < event.requestMsgId
      // An answer beyond our receive window means we are behind. The server took our
      // request, so its clock was then at most PAST_S ahead of the request (or it would
      // have sent bad_msg 16): an answer claiming more does not carry the server's clock.
      const ahead = answerS > ourS + FUTURE_S && answerS <= ourS + PAST_S
      if (!behind && !ahead) return clock
      return { sync: 'synced', offsetS: answerS - localS, source: 'answer-skew' }
    }
  }
}

function isPinned(clock: ServerClock): boolean {
  return clock.sync === 'synced' && clock.source === 'pinned'
}

/**
 * Whether a bad_msg_notification 16/17 carries a usable clock (encryption.md §6): after
 * taking the notification's time, the rejected msg_id must be out of the window the code
 * names. If it would be inside, the notification's msg_id is not the clock the server
 * checked with (a server whose msg_ids stay monotonic across a backward clock jump), and
 * the time must come from elsewhere: a handshake's server_time.
 */
export function timeNoticeConsistent(code: 16 | 17, badMsgId: bigint, serverMsgId: bigint): boolean {
  const badS = serverTimeFromMsgId(badMsgId)
  const noticeS = serverTimeFromMsgId(serverMsgId)
  return code === 17 ? badS > noticeS + FUTURE_S : badS < noticeS - PAST_S
}

/** Whether msg_ids numbered up to `lastMsgId` are too far ahead for the server now (code 17). */
export function aheadOfServer(lastMsgId: bigint, serverNowS: number): boolean {
  return serverTimeFromMsgId(lastMsgId) > serverNowS + FUTURE_S
}

/**
 * The next client msg_id: `serverTime × 2^32` with the fraction in the low bits,
 * divisible by 4, never with zero low 32 bits, and strictly above `last`
 * (previous + 4 when the clock did not move forward). Total on finite times: one outside
 * what a positive int64 msg_id can carry is held at its edge (issue #18: a clock a server
 * pushed below zero made every send throw), so numbering never fails.
 */
export function nextMsgId(last: bigint, serverTimeS: number): bigint {
  if (Number.isNaN(serverTimeS)) throw new RangeError('serverTimeS is NaN')
  const held = Math.min(Math.max(serverTimeS, 1), MAX_ID_TIME_S)
  const whole = Math.floor(held)
  const fraction = BigInt(Math.floor((held - whole) * 4294967296))
  let id = ((BigInt(whole) << 32n) | fraction) & ~3n
  if (id <= last) id = last + 4n
  if ((id & LOW_32) === 0n) id += 4n
  return id
}

/**
 * nextMsgId, skipping ids `taken` says are in use (issue #18): answers, bad_msg notices and
 * the outbox find a message by its msg_id alone, but each session numbers its own, so two
 * sessions of one DC (the traffic key's and the next key's during a rotation) numbering
 * at the same clock reading gave one id to a call and to the bind, and the call's answer
 * went to the bind. Ids stay divisible by 4, above `last`, with non-zero low 32 bits.
 */
export function nextFreeMsgId(last: bigint, serverTimeS: number, taken: (id: bigint) => boolean): bigint {
  let id = nextMsgId(last, serverTimeS)
  while (taken(id)) id = nextMsgId(id, serverTimeS)
  return id
}
