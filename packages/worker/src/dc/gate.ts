/**
 * The PFS gate (pfs-and-errors.md §1.3). An unbound temp key may carry only
 * auth.bindTempAuthKey (sent by the runtime itself), help.getConfig and help.getNearestDc.
 * While a bind is under way every call is held, so the first call after the bind carries
 * initConnection (§1.5); once the bind has failed for good the allowed methods go out on
 * the unbound key and the rest are refused with NOT_BOUND. A refused call is never sent.
 */
export const UNBOUND_ALLOWED: ReadonlySet<string> = new Set(['auth.bindTempAuthKey', 'help.getConfig', 'help.getNearestDc'])

export type BindPhase = 'unbound' | 'bound' | 'failed'

export type GateVerdict = 'send' | 'hold' | 'refuse'

export function gate(method: string, phase: BindPhase): GateVerdict {
  switch (phase) {
    case 'bound':
      return 'send'
    case 'unbound':
      return 'hold'
    case 'failed':
      return UNBOUND_ALLOWED.has(method) ? 'send' : 'refuse'
  }
}
