import { describe, expect, it } from 'vitest'
import { concatBytes } from './bytes.ts'
import { parseRsaPublicKeyPem, rsaFingerprint, selectRsaKey } from './rsa-key.ts'
import vectors from '../test/vectors/rsa-keys.json'
import { codeOf } from '../test/code-of.ts'

const [TEST_KEY, PROD_KEY] = vectors.keys as [(typeof vectors.keys)[number], (typeof vectors.keys)[number]]
const fp = (hex: string): bigint => BigInt('0x' + hex)
const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))
const pemOf = (label: string, der: Uint8Array): string => `-----BEGIN ${label}-----\n${b64(der)}\n-----END ${label}-----\n`
const derOfPem = (pem: string): Uint8Array =>
  Uint8Array.from(atob(pem.replace(/-----[^-]+-----|\s/g, '')), (c) => c.charCodeAt(0))
const tlv = (tag: number, content: Uint8Array): Uint8Array => {
  const n = content.length
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]
  return concatBytes(Uint8Array.of(tag, ...len), content)
}
const RSA_OID = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01)
const spkiOf = (pkcs1: Uint8Array, oid = RSA_OID): Uint8Array =>
  tlv(0x30, concatBytes(tlv(0x30, concatBytes(tlv(0x06, oid), tlv(0x05, new Uint8Array(0)))), tlv(0x03, concatBytes(Uint8Array.of(0), pkcs1))))

describe('parseRsaPublicKeyPem / rsaFingerprint (test-vectors C2)', () => {
  it.each(vectors.keys)('$name key → fingerprint 0x$fingerprint', ({ pem, fingerprint }) => {
    const key = parseRsaPublicKeyPem(pem)
    expect(key.fingerprint).toBe(fp(fingerprint))
    expect(rsaFingerprint(key)).toBe(fp(fingerprint))
    expect(key.n).toHaveLength(256)
    expect(key.n[0]).not.toBe(0)
    expect([...key.e]).toEqual([0x01, 0x00, 0x01])
  })

  it('SPKI `BEGIN PUBLIC KEY` gives the same key as PKCS#1', () => {
    const pkcs1 = parseRsaPublicKeyPem(PROD_KEY.pem)
    const spki = parseRsaPublicKeyPem(pemOf('PUBLIC KEY', spkiOf(derOfPem(PROD_KEY.pem))))
    expect(spki).toEqual(pkcs1)
  })

  it('accepts CRLF line ends', () => {
    expect(parseRsaPublicKeyPem(TEST_KEY.pem.replace(/\n/g, '\r\n')).fingerprint).toBe(fp(TEST_KEY.fingerprint))
  })
})

describe('parseRsaPublicKeyPem refuses garbage with BAD_PEM', () => {
  const der = derOfPem(PROD_KEY.pem)
  const mutate = (f: (d: Uint8Array) => Uint8Array): string => pemOf('RSA PUBLIC KEY', f(der.slice()))
  const int = (bytes: number[]): Uint8Array => tlv(0x02, Uint8Array.from(bytes))

  it.each([
    { rule: 'not PEM at all', pem: 'hello' },
    { rule: 'BEGIN and END labels differ', pem: PROD_KEY.pem.replace('END RSA PUBLIC KEY', 'END PUBLIC KEY') },
    { rule: 'two keys in one string', pem: PROD_KEY.pem + TEST_KEY.pem },
    { rule: 'private key label', pem: PROD_KEY.pem.replace(/RSA PUBLIC KEY/g, 'RSA PRIVATE KEY') },
    { rule: 'base64 with a stray character', pem: PROD_KEY.pem.replace('MIIB', 'MI*B') },
    { rule: 'base64 with bad padding', pem: pemOf('RSA PUBLIC KEY', der).replace(/\n-----END/, '=\n-----END') },
    { rule: 'truncated DER', pem: mutate((d) => d.subarray(0, d.length - 1)) },
    { rule: 'trailing byte after the key', pem: mutate((d) => concatBytes(d, Uint8Array.of(0))) },
    { rule: 'outer tag is not SEQUENCE', pem: mutate((d) => ((d[0] = 0x31), d)) },
    { rule: 'indefinite length', pem: mutate(() => Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03, 0, 0)) },
    { rule: 'non-minimal long length', pem: mutate(() => Uint8Array.of(0x30, 0x81, 0x06, ...int([3]), ...int([3]))) },
    { rule: 'length past the input', pem: mutate(() => Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02)) },
    { rule: 'negative modulus', pem: mutate(() => tlv(0x30, concatBytes(int([0x80, 1]), int([3])))) },
    { rule: 'non-minimal INTEGER', pem: mutate(() => tlv(0x30, concatBytes(int([0, 0x7f]), int([3])))) },
    { rule: 'zero exponent', pem: mutate(() => tlv(0x30, concatBytes(int([0x7f]), int([0])))) },
    { rule: 'empty INTEGER', pem: mutate(() => tlv(0x30, concatBytes(tlv(0x02, new Uint8Array(0)), int([3])))) },
    { rule: 'a third field', pem: mutate(() => tlv(0x30, concatBytes(int([0x7f]), int([3]), int([3])))) },
    { rule: 'only one field', pem: mutate(() => tlv(0x30, int([0x7f]))) },
    { rule: 'SPKI with a non-RSA OID', pem: pemOf('PUBLIC KEY', spkiOf(der, Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01))) },
    { rule: 'PKCS#1 body under a SPKI label', pem: pemOf('PUBLIC KEY', der) },
  ])('$rule', ({ pem }) => expect(codeOf(() => parseRsaPublicKeyPem(pem))).toBe('BAD_PEM'))
})

describe('selectRsaKey (auth-key.md step 1)', () => {
  const keys = vectors.keys.map((k) => parseRsaPublicKeyPem(k.pem))

  it('picks the key the server lists, comparing signed TL longs as unsigned', () => {
    // resPQ of the official sample (A2): two unknown fingerprints, then the production key.
    const offered = [0x0bc35f3509f7b7a5n, -0x3c4bd4fd93179edfn, BigInt.asIntN(64, fp(PROD_KEY.fingerprint))]
    expect(selectRsaKey(keys, offered).fingerprint).toBe(fp(PROD_KEY.fingerprint))
  })

  it('throws NO_MATCHING_RSA_KEY when none is known', () => {
    expect(codeOf(() => selectRsaKey(keys, [1n, 2n]))).toBe('NO_MATCHING_RSA_KEY')
  })
})
