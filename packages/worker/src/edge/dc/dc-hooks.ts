/** What a DC reports to the engine: state changes, key events, server updates. */
import type { KeyEvent } from '../../api.ts'

export interface DcHooks {
  changed(): void
  keyEvent(event: KeyEvent): void
  update(dcId: number, bytes: Uint8Array): void
  /** The DC saw a sleep the monotonic clock missed (policy/session/lifecycle 'slept'). */
  slept?(): void
}
