import { ProtocolCheckError } from '../errors.ts'

/** Which dc ids the server serves: 1..5, as production, test (+10000) or both. */
export interface DcPolicy {
  dcIds: readonly number[]
  mode: 'production' | 'test' | 'both'
}

export interface DcRef {
  id: number
  test: boolean
  media: boolean
}

/**
 * The dc of p_q_inner_data: +10000 for test DCs, negative for media (auth-key.md
 * "Permanent vs temporary key"). A dc we do not serve, or the wrong test/production
 * side, is DC_INVALID, which the edge answers with -444.
 */
export function parseDc(raw: number, policy: DcPolicy): DcRef {
  const media = raw < 0
  const abs = Math.abs(raw)
  const test = abs > 10000
  const id = test ? abs - 10000 : abs
  const sideOk = policy.mode === 'both' || (policy.mode === 'test') === test
  if (!sideOk || !policy.dcIds.includes(id)) throw new ProtocolCheckError('DC_INVALID')
  return { id, test, media }
}

/**
 * The DC a key made with a legacy inner data form (no dc field) belongs to. Telegram files
 * such a key under the DC the client dialed; this server plays every DC on one port and
 * sees no dc on a direct connection (transports.md §4), so it uses DC 2 when it serves it
 * (the DC clients default to), else the first DC it serves, on the side it serves.
 */
export function legacyDc(policy: DcPolicy): DcRef {
  const id = policy.dcIds.includes(2) ? 2 : policy.dcIds[0]
  if (id === undefined) throw new ProtocolCheckError('DC_INVALID')
  return { id, test: policy.mode === 'test', media: false }
}
