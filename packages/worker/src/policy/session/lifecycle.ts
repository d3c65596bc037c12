/**
 * What the engine does when the network or the page changes (issue #16). A wake (a page
 * shown again, resumed from freeze, or a sleep the clocks betray: policy/session/wall-watch)
 * may find sockets the server has long closed and temp keys that expired meanwhile, so the
 * connections are checked at once: keys past their unusable point are replaced before a
 * call goes out, and each live socket is probed. Offline, nothing can connect: dropped
 * sockets wait and no reconnect is tried (no storm of refused opens). Online, or the
 * embedder's reconnect(), reopens every dropped socket now with its backoff reset.
 */

/** What the page or the worker's global scope reported, or the embedder asked (reconnect). */
export type LifecycleKind = 'online' | 'offline' | 'hidden' | 'visible' | 'freeze' | 'resume' | 'reconnect'

/** 'slept': a DC saw the wall clock run while the monotonic one stood still. */
export type LifecycleEvent = LifecycleKind | 'slept'

export interface LifecycleState {
  readonly online: boolean
  /** Local ms of the last check; null before the first. */
  readonly checkedAt: number | null
}

export const AWAKE: LifecycleState = { online: true, checkedAt: null }

/**
 * 'reconnect': reopen every dropped socket now, its backoff reset. 'check': look at the
 * clocks and the keys now and probe every live socket. Offline needs no action: while
 * `online` is false no reopen and no handshake opens a socket (they read it first).
 */
export type LifecycleAction = 'reconnect' | 'check'

/** A wake reported several ways at once (resume, visible, a timer seeing the sleep) is checked once. */
export const CHECK_GAP_MS = 1_000

/** null: not an event (input from outside the worker is checked here, for a typed error). */
export function stepLifecycle(state: LifecycleState, event: LifecycleEvent, now: number): { state: LifecycleState; actions: LifecycleAction[] } | null {
  switch (event) {
    case 'offline':
      return { state: { ...state, online: false }, actions: [] }
    case 'online':
    case 'reconnect':
      return { state: { online: true, checkedAt: now }, actions: ['reconnect', 'check'] }
    case 'hidden':
    case 'freeze':
      // nothing to do before a pause; what it costs shows at the wake
      return { state, actions: [] }
    case 'visible':
    case 'resume':
    case 'slept':
      if (!state.online || (state.checkedAt !== null && now - state.checkedAt < CHECK_GAP_MS)) return { state, actions: [] }
      return { state: { ...state, checkedAt: now }, actions: ['check'] }
    default:
      return null
  }
}
