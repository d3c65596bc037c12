/**
 * Silence on a connection that owes us answers. A socket can stay open while nothing
 * arrives (a half-open TCP path, a frame whose bytes never come): without this, calls would
 * wait for their own deadlines. A request that expects an answer arms the watch; each
 * accepted packet restarts the silence count while answers are still owed and disarms it
 * once none are. After `pingAfterMs` of silence a ping asks for a sign of life, so a slow
 * answer is not mistaken for a dead link; after `stalledAfterMs` the connection is declared
 * stalled, and the lane reopens it and resends what is unanswered.
 */

export interface StallConfig {
  pingAfterMs: number
  stalledAfterMs: number
}

export function stallConfig(stalledAfterMs: number): StallConfig {
  return { pingAfterMs: Math.floor(stalledAfterMs / 3), stalledAfterMs }
}

export interface StallState {
  /** Local ms since which nothing arrived while answers were owed; null when none are. */
  readonly silentSince: number | null
  readonly pinged: boolean
}

export const QUIET: StallState = { silentSince: null, pinged: false }

export type StallEvent =
  /** A call or service request (the bind) went out and is now registered as owed. */
  | { type: 'sent-request' }
  /** `owed`: answers are still outstanding on this connection after this packet. */
  | { type: 'received'; owed: boolean }
  | { type: 'tick'; owed: boolean }

export type StallAction = { type: 'schedule'; atMs: number } | { type: 'ping' } | { type: 'stalled' }

export function stepStall(state: StallState, event: StallEvent, now: number, config: StallConfig): { state: StallState; actions: StallAction[] } {
  switch (event.type) {
    case 'received': {
      if (!event.owed) return { state: QUIET, actions: [] }
      // while armed a check is already pending; it reschedules from the new start
      const actions: StallAction[] = state.silentSince === null ? [{ type: 'schedule', atMs: now + config.pingAfterMs }] : []
      return { state: { silentSince: now, pinged: false }, actions }
    }
    case 'sent-request':
      if (state.silentSince !== null) return { state, actions: [] }
      return { state: { silentSince: now, pinged: false }, actions: [{ type: 'schedule', atMs: now + config.pingAfterMs }] }
    case 'tick': {
      const since = state.silentSince
      if (since === null) return { state, actions: [] }
      if (!event.owed) return { state: QUIET, actions: [] }
      if (now - since >= config.stalledAfterMs) return { state: QUIET, actions: [{ type: 'stalled' }] }
      const stalledAt: StallAction = { type: 'schedule', atMs: since + config.stalledAfterMs }
      if (now - since >= config.pingAfterMs && !state.pinged) return { state: { ...state, pinged: true }, actions: [{ type: 'ping' }, stalledAt] }
      return { state, actions: [state.pinged ? stalledAt : { type: 'schedule', atMs: since + config.pingAfterMs }] }
    }
  }
}
