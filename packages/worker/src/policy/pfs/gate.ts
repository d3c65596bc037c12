/**
 * The PFS gate (pfs-and-errors.md §1.3). An unbound temp key may carry only
 * auth.bindTempAuthKey (sent by the runtime itself), help.getConfig and help.getNearestDc.
 * The engine sends nothing but the bind before a key is bound: every call is held, so the
 * first call after the bind carries initConnection (§1.5). Once a bind has failed for good
 * the whitelisted methods keep waiting for the next bound key and every other call is
 * refused with NOT_BOUND. A refused call is never sent.
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
      return UNBOUND_ALLOWED.has(method) ? 'hold' : 'refuse'
  }
}
