/**
 * The status a DC shows the page (api.ts ConnectionStatus), derived from what carries
 * traffic and what the temp-key policy is doing; a wait says why. Pure.
 */
import type { ConnectionStatus } from '../../api.ts'
import type { BindPhase } from '../../policy/pfs/gate.ts'
import type { NextSlot } from '../../policy/pfs/key-slots.ts'

export interface StatusInput {
  /** A lane carries traffic, whether its connection is up, and whether it waits for a call to reopen (policy/session/keepalive). */
  traffic: { up: boolean; parked?: boolean } | null
  phase: BindPhase
  next: NextSlot
  permLoading: boolean
  started: boolean
}

export function connectionStatus(s: StatusInput): { status: ConnectionStatus; waitReason: string | null } {
  if (s.traffic) return s.traffic.up ? { status: 'ready', waitReason: null } : s.traffic.parked ? { status: 'idle', waitReason: null } : { status: 'backoff', waitReason: 'reconnect' }
  if (s.phase === 'failed') return { status: 'backoff', waitReason: 'bind-failed' }
  if (s.next.phase === 'waiting') return { status: 'backoff', waitReason: s.next.reason }
  if (s.next.phase === 'binding') return { status: 'binding', waitReason: null }
  if (s.next.phase === 'handshake' || s.permLoading) return { status: 'handshaking', waitReason: null }
  return { status: s.started ? 'connecting' : 'idle', waitReason: null }
}
