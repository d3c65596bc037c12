/**
 * The registry of unanswered calls (encryption.md §5 "Session", §6; pfs-and-errors.md
 * §1.7–8). A call has an id of its own; msg_ids are only its current wire names and
 * change on every resend. Two guarantees:
 * - never twice: an answer is delivered only while the call is pending, and the call
 *   leaves the registry on delivery, so a late answer to any of its old msg_ids is dropped;
 * - never lost: a call leaves only by delivery, failure, timeout or cancellation, each
 *   reported as an action; every loss of its message (bad_msg, lost session, lost key)
 *   puts it back in the queue.
 *
 * A class because the registry is keyed state updated per message; copying maps per
 * event buys nothing. It is still deterministic: time comes in the events.
 */

export type CallId = number

/**
 * 'await-clock': sent with a time the server refused while our clock cannot be fixed yet;
 * resent at the next good sync, or after AWAIT_CLOCK_MS without one.
 */
export type QueueReason = 'new' | 'bad-msg' | 'session-lost' | 'key-lost' | 'retry' | 'await-clock'

export type CallState =
  | { kind: 'queued'; reason: QueueReason; notBefore: number }
  | { kind: 'sent'; keyId: string; sessionId: bigint; msgId: bigint; containerId: bigint | null }

export type OutboxEvent =
  | { type: 'enqueue'; callId: CallId; deadlineAt: number | null }
  | { type: 'sent'; callId: CallId; msgId: bigint; containerId: bigint | null; keyId: string; sessionId: bigint }
  /** A final rpc_result (or an rpc_error the runtime hands to the embedder). */
  | { type: 'answer'; msgId: bigint }
  /** An rpc_error the runtime decided to retry (rebind, initConnection, flood wait…). */
  | { type: 'retry'; callId: CallId; notBefore: number }
  /**
   * `awaitClock`: a 16/17 whose own msg_id carries no clock (msg-id timeNoticeConsistent).
   * A resend now would carry the same refused time, so the call waits for 'clock-synced'.
   */
  | { type: 'bad-msg'; badMsgId: bigint; code: number; awaitClock?: boolean }
  /** The clock took a good time (a handshake's server_time or a usable 16/17). */
  | { type: 'clock-synced' }
  | { type: 'new-session-created'; sessionId: bigint; firstMsgId: bigint }
  | { type: 'session-lost'; sessionId: bigint }
  | { type: 'key-lost'; keyId: string }
  | { type: 'cancel'; callId: CallId }
  | { type: 'tick' }

export type OutboxAction =
  | { type: 'deliver'; callId: CallId }
  | { type: 'resend'; callIds: CallId[]; reason: QueueReason }
  | { type: 'fail'; callId: CallId; code: 'TIMEOUT' | `BAD_MSG_${number}` }
  | { type: 'cancelled'; callId: CallId; sentMsgId: bigint | null }
  /** Not ours, or a stale name of a call already resent or finished: use nothing from it. */
  | { type: 'ignored'; msgId: bigint; reason: 'unknown-msg-id' | 'stale-msg-id' }
  /** The last call in flight on this key has left; a retiring key can now be dropped. */
  | { type: 'drained'; keyId: string }
  | { type: 'schedule'; atMs: number; reason: 'call-deadline' | 'call-retry' }

/**
 * How long a call waits for a good sync before it goes out again anyway (issue #18): the
 * handshake that brings one may be put off (storm control), and a resend now and then
 * costs one notice, where a resend on every notice was a storm.
 */
export const AWAIT_CLOCK_MS = 5_000

/** bad_msg_notification codes that mean "not processed, send again with a new msg_id" (§6). */
const RESEND_CODES: ReadonlySet<number> = new Set([16, 17, 20, 48])

interface Call {
  state: CallState
  deadlineAt: number | null
  /** Every msg_id this call has been sent under, and the containers it rode in. */
  msgIds: bigint[]
  containerIds: bigint[]
}

export class Outbox {
  readonly #calls = new Map<CallId, Call>()
  readonly #byMsgId = new Map<bigint, CallId>()
  /** Mutated in place: a container of 32 calls cost 32 copies of its list each way (issue #17). */
  readonly #byContainer = new Map<bigint, Set<CallId>>()
  /** Calls in the 'sent' state per key, kept with every change of state: asked per answer and per packet. */
  readonly #inFlight = new Map<string, number>()

  step(event: OutboxEvent, now: number): OutboxAction[] {
    switch (event.type) {
      case 'enqueue': {
        if (this.#calls.has(event.callId)) throw new RangeError(`call ${event.callId} already registered`)
        this.#calls.set(event.callId, { state: { kind: 'queued', reason: 'new', notBefore: now }, deadlineAt: event.deadlineAt, msgIds: [], containerIds: [] })
        // Only this call's deadline: every earlier one was asked for when its call came in,
        // and 'tick' asks again for the earliest left. A scan of every call here made a
        // batch of n calls cost n² (issue #17).
        return event.deadlineAt === null ? [] : [{ type: 'schedule', atMs: event.deadlineAt, reason: 'call-deadline' }]
      }
      case 'sent':
        return this.#onSent(event)
      case 'answer': {
        // any name of a pending call: after bad_msg 20 the first copy may be the one answered
        const callId = this.#byMsgId.get(event.msgId)
        if (callId === undefined) return [{ type: 'ignored', msgId: event.msgId, reason: 'unknown-msg-id' }]
        return [{ type: 'deliver', callId }, ...this.#remove(callId)]
      }
      case 'retry': {
        const call = this.#calls.get(event.callId)
        if (call === undefined) return []
        return [...this.#requeue([event.callId], 'retry', event.notBefore), ...this.#schedule(now)]
      }
      case 'bad-msg':
        return this.#onBadMsg(event.badMsgId, event.code, event.awaitClock === true, now)
      case 'clock-synced': {
        const held: CallId[] = []
        for (const [id, call] of this.#calls) if (call.state.kind === 'queued' && call.state.reason === 'await-clock') held.push(id)
        for (const id of held) (this.#calls.get(id) as Call).state = { kind: 'queued', reason: 'bad-msg', notBefore: now }
        return held.length === 0 ? [] : [{ type: 'resend', callIds: held, reason: 'bad-msg' }]
      }
      case 'new-session-created':
        return this.#requeueWhere((s) => s.sessionId === event.sessionId && s.msgId < event.firstMsgId, 'session-lost', now)
      case 'session-lost':
        return this.#requeueWhere((s) => s.sessionId === event.sessionId, 'session-lost', now)
      case 'key-lost':
        return this.#requeueWhere((s) => s.keyId === event.keyId, 'key-lost', now)
      case 'cancel': {
        const call = this.#calls.get(event.callId)
        if (call === undefined) return []
        const sentMsgId = call.state.kind === 'sent' ? call.state.msgId : null
        return [{ type: 'cancelled', callId: event.callId, sentMsgId }, ...this.#remove(event.callId)]
      }
      case 'tick': {
        const actions: OutboxAction[] = []
        for (const [callId, call] of [...this.#calls]) {
          if (call.deadlineAt !== null && call.deadlineAt <= now) {
            actions.push({ type: 'fail', callId, code: 'TIMEOUT' }, ...this.#remove(callId))
          }
        }
        return [...actions, ...this.#schedule(now)]
      }
    }
  }

  /** Calls waiting to be sent at `now`, oldest first. */
  ready(now: number): CallId[] {
    const out: CallId[] = []
    for (const [id, call] of this.#calls) if (call.state.kind === 'queued' && call.state.notBefore <= now) out.push(id)
    return out
  }

  stateOf(callId: CallId): CallState | null {
    return this.#calls.get(callId)?.state ?? null
  }

  /** The pending call a msg_id names (a call's own id, not a container), or null. */
  callFor(msgId: bigint): CallId | null {
    return this.#byMsgId.get(msgId) ?? null
  }

  inFlightOn(keyId: string): number {
    return this.#inFlight.get(keyId) ?? 0
  }

  anyInFlightOn(keyId: string): boolean {
    return this.inFlightOn(keyId) > 0
  }

  /** A call enters (+1) or leaves (-1) the 'sent' state on `keyId`. */
  #countInFlight(keyId: string, delta: 1 | -1): void {
    const n = this.inFlightOn(keyId) + delta
    if (n === 0) this.#inFlight.delete(keyId)
    else this.#inFlight.set(keyId, n)
  }

  get size(): number {
    return this.#calls.size
  }

  #onSent(event: Extract<OutboxEvent, { type: 'sent' }>): OutboxAction[] {
    const call = this.#calls.get(event.callId)
    if (call === undefined) throw new RangeError(`call ${event.callId} is not registered`)
    if (call.state.kind !== 'queued') throw new RangeError(`call ${event.callId} is already in flight`)
    if (event.containerId !== null && event.containerId <= event.msgId) {
      throw new RangeError('container msg_id not above its messages (encryption.md §5)')
    }
    call.state = { kind: 'sent', keyId: event.keyId, sessionId: event.sessionId, msgId: event.msgId, containerId: event.containerId }
    this.#countInFlight(event.keyId, 1)
    call.msgIds.push(event.msgId)
    this.#byMsgId.set(event.msgId, event.callId)
    if (event.containerId !== null) {
      call.containerIds.push(event.containerId)
      const inContainer = this.#byContainer.get(event.containerId)
      if (inContainer) inContainer.add(event.callId)
      else this.#byContainer.set(event.containerId, new Set([event.callId]))
    }
    return []
  }

  #onBadMsg(badMsgId: bigint, code: number, awaitClock: boolean, now: number): OutboxAction[] {
    const own = this.#byMsgId.get(badMsgId)
    const inContainer = this.#byContainer.get(badMsgId)
    const named = own !== undefined ? [own] : inContainer && [...inContainer]
    if (named === undefined) return [{ type: 'ignored', msgId: badMsgId, reason: 'unknown-msg-id' }]
    // only calls whose *current* message (or container) it names; older names were already resent
    const hit = named.filter((id) => {
      const s = this.#calls.get(id)?.state
      return s?.kind === 'sent' && (s.msgId === badMsgId || s.containerId === badMsgId)
    })
    if (hit.length === 0) return [{ type: 'ignored', msgId: badMsgId, reason: 'stale-msg-id' }]
    if (awaitClock && (code === 16 || code === 17)) return [...this.#requeue(hit, 'await-clock', now + AWAIT_CLOCK_MS), ...this.#schedule(now)]
    if (RESEND_CODES.has(code)) return this.#requeue(hit, 'bad-msg', now)
    return hit.flatMap((callId): OutboxAction[] => [{ type: 'fail', callId, code: `BAD_MSG_${code}` }, ...this.#remove(callId)])
  }

  #requeueWhere(pred: (s: Extract<CallState, { kind: 'sent' }>) => boolean, reason: QueueReason, now: number): OutboxAction[] {
    const hit: CallId[] = []
    for (const [id, call] of this.#calls) if (call.state.kind === 'sent' && pred(call.state)) hit.push(id)
    return hit.length === 0 ? [] : this.#requeue(hit, reason, now)
  }

  #requeue(callIds: CallId[], reason: QueueReason, notBefore: number): OutboxAction[] {
    const keys = new Set<string>()
    for (const id of callIds) {
      const call = this.#calls.get(id) as Call
      if (call.state.kind === 'sent') {
        keys.add(call.state.keyId)
        this.#countInFlight(call.state.keyId, -1)
      }
      call.state = { kind: 'queued', reason, notBefore }
    }
    // a call waiting for the clock is not due yet: the resend comes with 'clock-synced'
    return [...(reason === 'await-clock' ? [] : [{ type: 'resend' as const, callIds, reason }]), ...this.#drainedOf(keys)]
  }

  #remove(callId: CallId): OutboxAction[] {
    const call = this.#calls.get(callId)
    if (call === undefined) return []
    this.#calls.delete(callId)
    for (const msgId of call.msgIds) this.#byMsgId.delete(msgId)
    for (const c of call.containerIds) {
      const left = this.#byContainer.get(c)
      left?.delete(callId)
      if (left?.size === 0) this.#byContainer.delete(c)
    }
    if (call.state.kind !== 'sent') return []
    this.#countInFlight(call.state.keyId, -1)
    return this.inFlightOn(call.state.keyId) === 0 ? [{ type: 'drained', keyId: call.state.keyId }] : []
  }

  #drainedOf(keys: Set<string>): OutboxAction[] {
    return [...keys].filter((k) => this.inFlightOn(k) === 0).map((keyId) => ({ type: 'drained', keyId }))
  }

  #schedule(now: number): OutboxAction[] {
    let deadline = Infinity
    let retry = Infinity
    for (const call of this.#calls.values()) {
      if (call.deadlineAt !== null) deadline = Math.min(deadline, call.deadlineAt)
      if (call.state.kind === 'queued' && call.state.notBefore > now) retry = Math.min(retry, call.state.notBefore)
    }
    const out: OutboxAction[] = []
    if (deadline !== Infinity) out.push({ type: 'schedule', atMs: deadline, reason: 'call-deadline' })
    if (retry !== Infinity) out.push({ type: 'schedule', atMs: retry, reason: 'call-retry' })
    return out
  }
}
