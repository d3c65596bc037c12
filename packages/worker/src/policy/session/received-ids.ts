/**
 * Receive-side msg_id checks (encryption.md §4 "Client" items 6–9).
 *
 * A class because the window is inherently incremental: it holds the last
 * `capacity` ids sorted, and copying that on every message would cost O(N) for
 * nothing. It has no clock: the caller passes the server time (or null before
 * the clock is synced, which turns the time window off as §4.9 requires).
 */

const TWO_32 = 4294967296

export type ReceiveVerdict =
  | { verdict: 'accept' }
  /** Drop silently and keep the connection (a replay or a late duplicate). */
  | { verdict: 'ignore'; reason: 'duplicate' | 'below-window' | 'too-far-future' | 'too-far-past' }
  /** Use nothing from the packet, close the connection and reconnect (§4, last paragraph). */
  | { verdict: 'reject'; reason: 'wrong-session' | 'even-msg-id' }

export interface ReceivedMessage {
  sessionId: bigint
  msgId: bigint
  /**
   * 'time-exempt' for bad_server_salt and bad_msg_notification: they must be
   * processed even when their time looks wrong, since they are how the clock gets fixed.
   */
  timing: 'windowed' | 'time-exempt'
}

export interface WindowLimits {
  futureS: number
  pastS: number
}

export const DEFAULT_WINDOW: WindowLimits = { futureS: 30, pastS: 300 }

export class ReceivedIds {
  readonly #ids: bigint[] = []

  readonly #limits: WindowLimits = DEFAULT_WINDOW

  constructor(
    readonly sessionId: bigint,
    readonly capacity = 1000,
    limits: WindowLimits = DEFAULT_WINDOW,
  ) {
    this.#limits = limits
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
  }

  /** Checks one message (each message inside a container too) and records it when accepted. */
  check(msg: ReceivedMessage, serverNowS: number | null): ReceiveVerdict {
    if (msg.sessionId !== this.sessionId) return { verdict: 'reject', reason: 'wrong-session' }
    if ((msg.msgId & 1n) === 0n) return { verdict: 'reject', reason: 'even-msg-id' }

    const at = this.#lowerBound(msg.msgId)
    if (this.#ids[at] === msg.msgId) return { verdict: 'ignore', reason: 'duplicate' }
    if (at === 0 && this.#ids.length >= this.capacity) return { verdict: 'ignore', reason: 'below-window' }

    if (serverNowS !== null && msg.timing === 'windowed') {
      const idTimeS = Number(msg.msgId) / TWO_32
      if (idTimeS > serverNowS + this.#limits.futureS) return { verdict: 'ignore', reason: 'too-far-future' }
      if (idTimeS < serverNowS - this.#limits.pastS) return { verdict: 'ignore', reason: 'too-far-past' }
    }

    this.#ids.splice(at, 0, msg.msgId)
    if (this.#ids.length > this.capacity) this.#ids.shift()
    return { verdict: 'accept' }
  }

  get size(): number {
    return this.#ids.length
  }

  #lowerBound(id: bigint): number {
    let lo = 0
    let hi = this.#ids.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.#ids[mid] as bigint) < id) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
