import { describe, expect, it } from 'vitest'
import vectors from '../test/vectors/auth-key-sample.json'
import { fromHex, toHex } from '../test/hex.ts'
import { deserializeObject, serializeObject } from './index.ts'
import type { TlObject, TlOf } from './index.ts'

function decodeAs<N extends TlObject['_']>(hex: string, name: N): TlOf<N> {
  const bytes = fromHex(hex)
  const obj = deserializeObject(bytes)
  if (obj._ !== name) throw new Error(`decoded ${obj._}, expected ${name}`)
  expect(toHex(serializeObject(obj))).toBe(hex)
  return obj as TlOf<N>
}

const asLong = (hex: string): bigint => BigInt.asIntN(64, BigInt(`0x${hex}`))

describe('official auth-key sample (test-vectors.md §A) decodes and re-encodes byte-exactly', () => {
  it('§A1 req_pq_multi', () => {
    const o = decodeAs(vectors.reqPqMulti.body, 'req_pq_multi')
    expect(toHex(o.nonce)).toBe(vectors.resPQ.nonce)
  })

  it('§A2 resPQ: nonces byte-wise, pq as big-endian bytes, fingerprints as LE longs', () => {
    const o = decodeAs(vectors.resPQ.body, 'resPQ')
    expect(toHex(o.nonce)).toBe(vectors.resPQ.nonce)
    expect(toHex(o.server_nonce)).toBe(vectors.resPQ.serverNonce)
    expect(toHex(o.pq)).toBe(vectors.resPQ.pq)
    expect(o.server_public_key_fingerprints).toEqual(vectors.resPQ.fingerprints.map(asLong))
  })

  it('§A6b server_DH_inner_data: g, 256-byte dh_prime and g_a, server_time', () => {
    const o = decodeAs(vectors.serverDhInnerData.body, 'server_DH_inner_data')
    expect(toHex(o.nonce)).toBe(vectors.resPQ.nonce)
    expect(toHex(o.server_nonce)).toBe(vectors.resPQ.serverNonce)
    expect(o.g).toBe(vectors.serverDhInnerData.g)
    expect(o.dh_prime.length).toBe(256)
    expect(toHex(o.dh_prime.subarray(0, 4))).toBe('C71CAEB9')
    expect(toHex(o.g_a.subarray(0, 4))).toBe('0A77200B')
    expect(o.server_time).toBe(vectors.serverDhInnerData.serverTime)
  })

  it('§A7a client_DH_inner_data: retry_id sits before g_b', () => {
    const o = decodeAs(vectors.clientDhInnerData.body, 'client_DH_inner_data')
    expect(o.retry_id).toBe(0n)
    expect(toHex(o.g_b.subarray(0, 4))).toBe('A215D057')
  })

  it('§A9 dh_gen_ok', () => {
    const o = decodeAs(vectors.dhGenOk.body, 'dh_gen_ok')
    expect(toHex(o.new_nonce_hash1)).toBe(vectors.dhGenOk.newNonceHash1)
  })
})
