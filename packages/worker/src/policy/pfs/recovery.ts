/**
 * Transport error -404 (pfs-and-errors.md §1.7–8, encryption.md §4 "Server" item 2):
 * the server does not know the auth_key_id. Temp keys live only in the server's RAM,
 * so which key got it tells what happened, and the answer is always a new temp key
 * and a bind (never touching the perm key), paced by storm-control.
 */
import { allKeyIds, type NextSlot, type PolicyClock, type TempKeyAction, type TempKeyState } from './key-slots.ts'
import { stepStorm, type StormConfig } from './storm-control.ts'

export type Loss404 =
  /** During the plain-text handshake of the next key: it never existed; start over. */
  | { case: 'handshake-rejected' }
  /** The key being bound was forgotten before the bind landed. */
  | { case: 'binding-key-lost'; keyId: string }
  /** An old key finishing its calls expired on the server a little early: resend them, no new key needed. */
  | { case: 'retiring-key-lost'; keyId: string }
  /**
   * The bound key traffic uses: the server lost its RAM (restart), so every key it
   * held for us is presumed gone at once — one new handshake, not one per key.
   */
  | { case: 'server-restart'; lostKeyIds: string[] }
  /**
   * The current key while our bind of its successor is on the wire (or was, and waits to
   * be re-sent after its connection dropped unanswered): under the documented
   * one-binding rule (pfs §1.6) that bind dropped it. Its calls wait for the bind's answer
   * instead of a restart being presumed; if the server did restart, that bind gets -404
   * as well (binding-key-lost) and only then is a new key made.
   */
  | { case: 'replaced-by-bind'; keyId: string; successor: string }
  /** A key we already dropped: a late packet, nothing to do. */
  | { case: 'stale'; keyId: string | null }

/** Names each case for the state view's last404.cause. */
export const LOSS_CAUSE: Record<Loss404['case'], string> = {
  'handshake-rejected': 'during-handshake',
  'binding-key-lost': 'during-bind',
  'retiring-key-lost': 'retiring-key-forgotten',
  'replaced-by-bind': 'replaced-by-bind',
  'server-restart': 'temp-key-forgotten',
  stale: 'stale-key',
}

/** `keyId` is the auth_key_id the -404 answered, or null on the unencrypted handshake connection. */
export function classify404(state: TempKeyState, keyId: string | null): Loss404 {
  if (keyId === null) return state.next.phase === 'handshake' ? { case: 'handshake-rejected' } : { case: 'stale', keyId }
  if (state.current?.id === keyId) {
    if (state.next.phase === 'binding' && bindMayHaveLanded(state.next)) return { case: 'replaced-by-bind', keyId, successor: state.next.key.id }
    return { case: 'server-restart', lostKeyIds: allKeyIds(state) }
  }
  if (state.next.phase === 'binding' && state.next.key.id === keyId) return { case: 'binding-key-lost', keyId }
  if (state.retiring.some((k) => k.id === keyId)) return { case: 'retiring-key-lost', keyId }
  return { case: 'stale', keyId }
}

/**
 * The successor's bind is on the wire, or was and its answer got lost with the connection
 * (it is waiting to be sent again): either way the server may have applied it, which under
 * the one-binding rule is what dropped the current key.
 */
function bindMayHaveLanded(next: Extract<NextSlot, { phase: 'binding' }>): boolean {
  return next.step.kind === 'sent' || (next.step.kind === 'retry-at' && next.rebinds > 0)
}

export function recover404(
  state: TempKeyState,
  keyId: string | null,
  clock: PolicyClock,
  rand: () => number,
  storm?: StormConfig,
): { state: TempKeyState; actions: TempKeyAction[]; loss: Loss404 } {
  const loss = classify404(state, keyId)
  const failed = () => stepStorm(state.storm, { type: 'failed' }, clock.now, rand, storm).state
  switch (loss.case) {
    case 'stale':
      return { state, actions: [], loss }
    case 'handshake-rejected':
      return { state: { ...state, next: { phase: 'idle' }, storm: failed() }, actions: [], loss }
    case 'binding-key-lost':
      return { state: { ...state, next: { phase: 'idle' }, storm: failed() }, actions: [{ type: 'drop-key', keyId: loss.keyId }], loss }
    case 'retiring-key-lost':
      return {
        state: { ...state, retiring: state.retiring.filter((k) => k.id !== loss.keyId) },
        actions: [{ type: 'requeue-calls', keyId: loss.keyId }, { type: 'drop-key', keyId: loss.keyId }],
        loss,
      }
    case 'replaced-by-bind':
      return {
        state: { ...state, current: null, gap: { kind: 'held', replaced: loss.keyId, successor: loss.successor } },
        actions: [{ type: 'switch-traffic', keyId: null, cause: 'held' }, { type: 'requeue-calls', keyId: loss.keyId }, { type: 'drop-key', keyId: loss.keyId }],
        loss,
      }
    case 'server-restart': {
      const actions: TempKeyAction[] = [{ type: 'switch-traffic', keyId: null, cause: 'lost' }]
      for (const id of loss.lostKeyIds) actions.push({ type: 'requeue-calls', keyId: id }, { type: 'drop-key', keyId: id })
      const next = state.next.phase === 'binding' ? { phase: 'idle' as const } : state.next
      return { state: { ...state, current: null, retiring: [], next, storm: failed(), gap: { kind: 'lost' } }, actions, loss }
    }
  }
}
