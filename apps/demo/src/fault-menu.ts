import type { FaultAction } from '@pfs-web/control-client'

// The fault buttons. Faults only change the server; the page then watches the client recover.

export type FaultName =
  | 'forget-temp-key'
  | 'storm-404'
  | 'bind-error'
  | 'clock-skew'
  | 'revoke-perm-key'
  | 'restart-server'
  | 'clear'

export interface FaultSpec {
  name: FaultName
  label: string
  action: FaultAction
  /** What the client should do about it; shown as a tooltip and after injecting. */
  expect: string
}

export const FAULTS: readonly FaultSpec[] = [
  { name: 'forget-temp-key', label: 'Forget temp key', action: { type: 'forget-temp-key' }, expect: 'next call gets −404 → new temp key, bind, resend' },
  { name: 'storm-404', label: '−404 storm 5 s', action: { type: 'storm-404', seconds: 5 }, expect: 'every packet −404 → storm backoff, then recover' },
  { name: 'bind-error', label: 'Bind error', action: { type: 'bind-error', error: 'TEMP_AUTH_KEY_ALREADY_BOUND', count: 1 }, expect: 'next bind fails (press Rotate now) → new temp key, bind again' },
  { name: 'clock-skew', label: 'Clock skew +120 s', action: { type: 'clock-offset', seconds: 120 }, expect: 'server clock jumps ahead: replies carry msg_ids 120 s in the future → client must resync its time offset' },
  { name: 'revoke-perm-key', label: 'Revoke perm key', action: { type: 'forget-perm-key' }, expect: 'next bind gets ENCRYPTED_MESSAGE_INVALID; perm key > 60 s old → both keys dropped, DC logged out' },
  { name: 'restart-server', label: 'Restart server', action: { type: 'restart' }, expect: 'temp keys lost, perm keys kept → −404, rebind' },
  { name: 'clear', label: 'Clear faults', action: { type: 'clear' }, expect: 'server back to normal' },
]
