import { serializeObject, type TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { ProtocolCheckError } from '../errors.ts'
import type { DcPolicy } from './dc.ts'
import { parseInnerData } from './inner-data.ts'

const policy: DcPolicy = { dcIds: [1, 2, 3, 4, 5], mode: 'both' }
const common = {
  pq: Uint8Array.of(0x17, 0xed, 0x48, 0x94, 0x1a, 0x08, 0xf9, 0x81),
  p: Uint8Array.of(0x49, 0x4c, 0x55, 0x3b),
  q: Uint8Array.of(0x53, 0x91, 0x10, 0x73),
  nonce: new Uint8Array(16).fill(1),
  server_nonce: new Uint8Array(16).fill(2),
  new_nonce: new Uint8Array(32).fill(3),
}
/** RSA_PAD data: the boxed inner data, then random padding (auth-key.md step 5.2). */
const padded = (inner: TlObject): Uint8Array => {
  const body = serializeObject(inner)
  const out = new Uint8Array(192).fill(0xaa)
  out.set(body)
  return out
}
const codeOf = (run: () => unknown): string | null => {
  try {
    run()
    return null
  } catch (err) {
    if (err instanceof ProtocolCheckError) return err.code
    throw err
  }
}

describe('P_Q_inner_data forms (auth-key.md step 5.6, mtproto-tl.md §1, pfs page "using p_q_inner_data")', () => {
  it.each([
    { rule: 'perm, today: p_q_inner_data_dc carries the dc', inner: { _: 'p_q_inner_data_dc', ...common, dc: 3 }, want: { form: 'p_q_inner_data_dc', kind: 'perm', dc: { id: 3, test: false, media: false }, expiresIn: 0 } },
    { rule: 'temp, today: p_q_inner_data_temp_dc; +10000 is a test DC, negative a media key', inner: { _: 'p_q_inner_data_temp_dc', ...common, dc: -10002, expires_in: 600 }, want: { form: 'p_q_inner_data_temp_dc', kind: 'temp', dc: { id: 2, test: true, media: true }, expiresIn: 600 } },
    { rule: 'perm, legacy: p_q_inner_data#83c95aec has no dc → the DC the server plays (2)', inner: { _: 'p_q_inner_data', ...common }, want: { form: 'p_q_inner_data', kind: 'perm', dc: { id: 2, test: false, media: false }, expiresIn: 0 } },
    { rule: 'temp, legacy: p_q_inner_data_temp#3c6a84d4 has expires_in and no dc', inner: { _: 'p_q_inner_data_temp', ...common, expires_in: 3600 }, want: { form: 'p_q_inner_data_temp', kind: 'temp', dc: { id: 2, test: false, media: false }, expiresIn: 3600 } },
    { rule: 'auth-key.md step 5.9: expires_in is capped, in the legacy form too', inner: { _: 'p_q_inner_data_temp', ...common, expires_in: 10 ** 9 }, want: { form: 'p_q_inner_data_temp', kind: 'temp', expiresIn: 86400 } },
  ] as { rule: string; inner: TlObject; want: object }[])('$rule', ({ inner, want }) => {
    const got = parseInnerData(padded(inner), policy, 86400)
    expect(got).toMatchObject(want)
    expect(Buffer.from(got.newNonce).equals(Buffer.from(common.new_nonce))).toBe(true)
  })

  it('a legacy key on a test-only server is a test-DC key; without DC 2 it goes to the first DC served', () => {
    expect(parseInnerData(padded({ _: 'p_q_inner_data', ...common }), { dcIds: [4, 5], mode: 'test' }, 86400).dc).toEqual({ id: 4, test: true, media: false })
  })

  it.each([
    { rule: 'the _dc forms keep their dc rules: a dc not served → DC_INVALID (-444)', inner: { _: 'p_q_inner_data_dc', ...common, dc: 9 }, code: 'DC_INVALID' },
    { rule: 'temp today: expires_in must be > 0', inner: { _: 'p_q_inner_data_temp_dc', ...common, dc: 2, expires_in: 0 }, code: 'EXPIRES_IN_INVALID' },
    { rule: 'temp legacy: expires_in must be > 0', inner: { _: 'p_q_inner_data_temp', ...common, expires_in: -5 }, code: 'EXPIRES_IN_INVALID' },
    { rule: 'anything else boxed is not inner data', inner: { _: 'resPQ', nonce: common.nonce, server_nonce: common.server_nonce, pq: common.pq, server_public_key_fingerprints: [] }, code: 'INNER_DATA_CONSTRUCTOR' },
  ] as { rule: string; inner: TlObject; code: string }[])('$rule', ({ inner, code }) => {
    expect(codeOf(() => parseInnerData(padded(inner), policy, 86400))).toBe(code)
  })

  it('an inner data cut short → INNER_DATA_UNPARSABLE', () => {
    const cut = serializeObject({ _: 'p_q_inner_data', ...common }).subarray(0, 40)
    expect(codeOf(() => parseInnerData(cut, policy, 86400))).toBe('INNER_DATA_UNPARSABLE')
  })
})
