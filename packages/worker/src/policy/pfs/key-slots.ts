/**
 * The temp-key slots one DC connection holds (pfs-and-errors.md §1): the key traffic
 * uses, the key being made to replace it, and old keys finishing their calls.
 * Shared by temp-key-policy.ts and recovery.ts; types and predicates only.
 */
import type { PermEvidence } from './perm-key-verdict.ts'
import type { HandshakeCause, StormState } from './storm-control.ts'

export interface TempKeyInfo {
  id: string
  /** Local monotonic ms when the key's handshake started. */
  startedAtMs: number
  lifetimeS: number
  /** Server unix seconds (auth-key.md "Permanent vs temporary key": expires_at = now + expires_in). */
  expiresAt: number
  /** From here on a replacement is made (TDLib need_tmp_auth_key). */
  renewAt: number
  /** From here on no new call goes out on it (TDLib has_tmp_auth_key). */
  unusableAt: number
  /**
   * expiresAt counts from the handshake's server_time: the server's own clock when it made
   * the key, from which it counts the key's life. Unset: counted from our estimate.
   */
  serverBorn?: true
}

export type BindStep =
  | { kind: 'sent'; at: number }
  | { kind: 'retry-at'; at: number }
  | { kind: 'resyncing' }

export type NextSlot =
  | { phase: 'idle' }
  | { phase: 'waiting'; until: number; reason: 'backoff' | 'rate-limit' }
  | { phase: 'handshake'; lifetimeS: number; startedAt: number; startedAtServer: number }
  /** `rebinds`: times the bind went out again because its connection dropped unanswered. */
  | { phase: 'binding'; key: TempKeyInfo; attempt: number; rebinds: number; step: BindStep }

export interface TempKeyState {
  /** Bound; new calls go here while it is usable. */
  readonly current: TempKeyInfo | null
  readonly next: NextSlot
  /** Replaced keys still carrying in-flight calls. */
  readonly retiring: readonly TempKeyInfo[]
  /** 'dead' after a proven ENCRYPTED_MESSAGE_INVALID: nothing more is attempted. */
  readonly perm: 'usable' | 'dead'
  /** What the binds since the last good one say about the perm key (perm-key-verdict). */
  readonly permEvidence: PermEvidence
  readonly storm: StormState
  /**
   * A bind failed for good while no bound key carried traffic: the gate refuses all but
   * the whitelisted methods (gate.ts) until a bind succeeds or the embedder connects again.
   */
  readonly bindGaveUp: boolean
  /** Why no key carries traffic, while none does after one did (null otherwise). */
  readonly gap: TrafficGap | null
}

/**
 * `held`: the key was replaced by its successor's bind, still on the wire (pfs §1.6): a
 * rotation in progress, not a loss, as long as that very successor gets bound. `lost`: the
 * key went (-404, expiry) with no bound successor: the next bind is a recovery.
 */
export type TrafficGap = { kind: 'held'; replaced: string; successor: string } | { kind: 'lost' }

export interface PolicyClock {
  /** Local monotonic ms. */
  now: number
  /** Server unix seconds. */
  serverNow: number
  sync: 'synced' | 'unsynced'
}

export type TempKeyAction =
  /**
   * `backgroundUntilMs` (local ms): a planned rotation with the current key usable a while
   * yet, so the handshake's maths may yield to the calls until then; null: full speed.
   */
  | { type: 'start-temp-handshake'; expiresInS: number; cause: HandshakeCause; backgroundUntilMs: number | null }
  | { type: 'send-bind'; keyId: string; expiresAt: number }
  | { type: 'send-init-connection'; keyId: string }
  /**
   * New calls go to this key from now on, and why: the first key, a rotation (replacing
   * `replaced`) or a recovery after traffic was lost. The runtime's counters and key events
   * follow the cause.
   */
  | { type: 'switch-traffic'; keyId: string; cause: 'first' | 'rotation' | 'recovery'; replaced: string | null }
  /** Hold new calls: no usable key, for the reason the state's gap gives. */
  | { type: 'switch-traffic'; keyId: null; cause: TrafficGap['kind'] }
  /** Outbox `key-lost`: resend this key's unanswered calls elsewhere. */
  | { type: 'requeue-calls'; keyId: string }
  /** Forget the key; zeroing its bytes is the key store's job. */
  | { type: 'drop-key'; keyId: string }
  | { type: 'resync-time' }
  /** Perm key proven dead: wipe it and report loggedOut. */
  | { type: 'drop-perm-key' }
  | { type: 'report'; code: string | number }
  /** The one wake-up the policy needs; replaces any earlier one. */
  | { type: 'schedule'; atMs: number; reason: ScheduleReason }

export type ScheduleReason = 'renew' | 'unusable' | 'retire' | 'handshake-budget' | 'bind-retry' | 'step-timeout'

export function needsRenewal(key: TempKeyInfo, serverNow: number): boolean {
  return serverNow >= key.renewAt
}

export function isUsable(key: TempKeyInfo, serverNow: number): boolean {
  return serverNow < key.unusableAt
}

/** Every key id the slots hold, for a full drop. */
export function allKeyIds(state: TempKeyState): string[] {
  const ids = [...(state.current === null ? [] : [state.current.id]), ...state.retiring.map((k) => k.id)]
  if (state.next.phase === 'binding') ids.push(state.next.key.id)
  return ids
}
