import { describe, expect, it } from 'vitest'
import vectors from '../test/vectors/auth-key-sample.json'
import { randomBytes, sha1, sha256 } from './hash.ts'
import { sha256WasmAvailable, sha1Sync, sha256Js, sha256Sync } from './sha-sync.ts'
import { seededRandom } from '../test/seeded-random.ts'
import { hex, toHex } from './test-support/hex.ts'

describe('synchronous SHA-1 / SHA-256', () => {
  it('FIPS 180 "abc" digests', () => {
    const abc = new TextEncoder().encode('abc')
    expect(toHex(sha256Sync(abc))).toBe('BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD')
    expect(toHex(sha1Sync(abc))).toBe('A9993E364706816ABA3E25717850C26C9CD0D89D')
  })

  it('test-vectors.md §A10: SHA1(auth_key)', () => {
    expect(toHex(sha1Sync(hex(vectors.authKey)))).toBe(vectors.authKeySha1)
  })

  it('equals WebCrypto on every length 0..300 and on split inputs', async () => {
    const rnd = seededRandom(1)
    for (let n = 0; n <= 300; n++) {
      const d = rnd(n)
      expect(toHex(sha256Sync(d))).toBe(toHex(await sha256(d)))
      expect(toHex(sha1Sync(d))).toBe(toHex(await sha1(d)))
      const cut = n >> 1
      expect(toHex(sha256Sync(d.subarray(0, cut), d.subarray(cut)))).toBe(toHex(sha256Sync(d)))
    }
    const big = rnd(100_003)
    expect(toHex(sha256Sync(big.subarray(0, 7), big.subarray(7, 70), big.subarray(70)))).toBe(toHex(await sha256(big)))
    expect(toHex(sha1Sync(big))).toBe(toHex(await sha1(big)))
  })

  it('SHA-256 runs the WebAssembly module built from sha256-wasm-build.ts (no CSP here)', () => {
    expect(sha256WasmAvailable()).toBe(true)
  })

  it('the JS SHA-256 reference and the WebAssembly one agree around block and 62 KiB chunk edges', () => {
    const rnd = seededRandom(5)
    for (const n of [0, 55, 56, 63, 64, 65, 119, 120, 62 * 1024 - 1, 62 * 1024, 62 * 1024 + 1, 3 * 62 * 1024 + 9]) {
      const d = rnd(n)
      expect(toHex(sha256Sync(d.subarray(0, n >> 1), d.subarray(n >> 1)))).toBe(toHex(sha256Js(d)))
    }
  })

  it('randomBytes fills more than one 64 KiB getRandomValues chunk', () => {
    const r = randomBytes(65536 * 2 + 5)
    expect(r.length).toBe(65536 * 2 + 5)
    expect(r.subarray(65536 * 2).some((x) => x !== 0) || r.subarray(0, 64).some((x) => x !== 0)).toBe(true)
    expect(() => randomBytes(-1)).toThrow(expect.objectContaining({ code: 'BAD_LENGTH' }))
  })
})
