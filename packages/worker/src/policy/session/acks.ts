/**
 * Acknowledgement batching (encryption.md §5 "seq_no": every content-related message
 * received must be acked; piggy-back on the next query, or send a stand-alone
 * msgs_ack after about 16 unacked messages or 60–120 s).
 *
 * Issue #17: answers usually provoke the next calls within the same turn, so 16 unacked
 * ids wait ACK_RIDE_WAIT_MS for those calls' container before going alone; at 32 calls in
 * flight that saves two frames out of three.
 */

/** msgs_ack carries a Vector<long>; the server rejects vectors above this. */
export const MAX_IDS_PER_ACK = 8192

export interface AckConfig {
  /** Stand-alone flush once this many ids wait. */
  maxUnacked: number
  /** Stand-alone flush once the oldest pending id has waited this long. */
  maxDelayMs: number
}

export const DEFAULT_ACK_CONFIG: AckConfig = { maxUnacked: 16, maxDelayMs: 60_000 }

/** How long a full batch of acks waits for an outgoing message to ride on (a few macrotasks). */
export const ACK_RIDE_WAIT_MS = 5

export interface AckState {
  readonly pending: readonly bigint[]
  /** `now` when the oldest pending id arrived; null when nothing waits. */
  readonly oldestAt: number | null
}

export const NO_ACKS: AckState = { pending: [], oldestAt: null }

export type AckEvent =
  | { type: 'received'; msgId: bigint; contentRelated: boolean }
  /** The runtime is about to send a message and can carry acks in its container. */
  | { type: 'outgoing' }
  | { type: 'tick' }
  /** A new session: ids of the old one must not be acked in it. */
  | { type: 'session-reset' }

export type AckAction =
  | { type: 'send-acks'; ids: bigint[]; mode: 'piggy-back' | 'stand-alone' }
  | { type: 'schedule'; atMs: number; reason: 'ack-flush' }

export function stepAcks(
  state: AckState,
  event: AckEvent,
  now: number,
  config: AckConfig = DEFAULT_ACK_CONFIG,
): { state: AckState; actions: AckAction[] } {
  switch (event.type) {
    case 'session-reset':
      return { state: NO_ACKS, actions: [] }
    case 'outgoing':
      return flush(state, 'piggy-back')
    case 'received': {
      if (!event.contentRelated) return { state, actions: [] }
      const next: AckState = { pending: [...state.pending, event.msgId], oldestAt: state.oldestAt ?? now }
      if (next.pending.length === config.maxUnacked) {
        return { state: next, actions: [{ type: 'schedule', atMs: now + ACK_RIDE_WAIT_MS, reason: 'ack-flush' }] }
      }
      if (state.oldestAt === null) {
        return { state: next, actions: [{ type: 'schedule', atMs: now + config.maxDelayMs, reason: 'ack-flush' }] }
      }
      return { state: next, actions: [] }
    }
    case 'tick':
      if (state.oldestAt === null) return { state, actions: [] }
      if (state.pending.length >= config.maxUnacked || now - state.oldestAt >= config.maxDelayMs) return flush(state, 'stand-alone')
      // the timer that fired was the short wait of a batch that has since left: the ids
      // that came after it still need the long one
      return { state, actions: [{ type: 'schedule', atMs: state.oldestAt + config.maxDelayMs, reason: 'ack-flush' }] }
  }
}

function flush(state: AckState, mode: 'piggy-back' | 'stand-alone'): { state: AckState; actions: AckAction[] } {
  const actions: AckAction[] = []
  for (let i = 0; i < state.pending.length; i += MAX_IDS_PER_ACK) {
    actions.push({ type: 'send-acks', ids: state.pending.slice(i, i + MAX_IDS_PER_ACK), mode })
  }
  return { state: NO_ACKS, actions }
}
