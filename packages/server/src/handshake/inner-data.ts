import type { InnerForm } from '@pfs-web/control-client'
import { decodeObject, TlReader, type TlObject, type TlOf } from '@pfs-web/tl'
import { ProtocolCheckError } from '../errors.ts'
import { legacyDc, parseDc, type DcPolicy, type DcRef } from './dc.ts'

export type KeyKind = 'perm' | 'temp'

/** What the rest of the handshake needs from the inner data, whichever form carried it. */
export interface InnerData {
  form: InnerForm
  kind: KeyKind
  dc: DcRef
  /** Temp keys: the requested lifetime, already capped. 0 for perm keys. */
  expiresIn: number
  pq: Uint8Array
  p: Uint8Array
  q: Uint8Array
  nonce: Uint8Array
  serverNonce: Uint8Array
  newNonce: Uint8Array
}

type AnyInner =
  | TlOf<'p_q_inner_data_dc'>
  | TlOf<'p_q_inner_data_temp_dc'>
  | TlOf<'p_q_inner_data'>
  | TlOf<'p_q_inner_data_temp'>

/**
 * Parses the decrypted RSA_PAD data: one boxed P_Q_inner_data, padding after it. The `_dc`
 * forms keep their dc rules (a dc we do not serve is DC_INVALID → -444); the legacy forms
 * carry no dc, so their key is filed under the DC this server plays for them (`legacyDc`).
 * A temp form needs `expires_in > 0`, which is capped at `maxExpiresIn`.
 */
export function parseInnerData(data: Uint8Array, policy: DcPolicy, maxExpiresIn: number): InnerData {
  const inner = decodeInner(data)
  const temp = inner._ === 'p_q_inner_data_temp_dc' || inner._ === 'p_q_inner_data_temp'
  const dc = inner._ === 'p_q_inner_data_dc' || inner._ === 'p_q_inner_data_temp_dc' ? parseDc(inner.dc, policy) : legacyDc(policy)
  let expiresIn = 0
  if (temp) {
    if (inner.expires_in <= 0) throw new ProtocolCheckError('EXPIRES_IN_INVALID')
    expiresIn = Math.min(inner.expires_in, maxExpiresIn)
  }
  return {
    form: inner._,
    kind: temp ? 'temp' : 'perm',
    dc,
    expiresIn,
    pq: inner.pq,
    p: inner.p,
    q: inner.q,
    nonce: inner.nonce,
    serverNonce: inner.server_nonce,
    newNonce: inner.new_nonce,
  }
}

function decodeInner(data: Uint8Array): AnyInner {
  let obj: TlObject
  try {
    obj = decodeObject(new TlReader(data))
  } catch {
    throw new ProtocolCheckError('INNER_DATA_UNPARSABLE')
  }
  switch (obj._) {
    case 'p_q_inner_data_dc':
    case 'p_q_inner_data_temp_dc':
    case 'p_q_inner_data':
    case 'p_q_inner_data_temp':
      return obj
    default:
      throw new ProtocolCheckError('INNER_DATA_CONSTRUCTOR')
  }
}
