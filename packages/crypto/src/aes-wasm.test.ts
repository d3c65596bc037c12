import { describe, expect, it } from 'vitest'
import { expandDecKey, expandEncKey, igeDecryptWordsJs, igeEncryptWordsJs } from './aes-core.ts'
import { aesWasmAvailable, igeDecryptInto, igeEncryptInto } from './aes-wasm.ts'
import { seededRandom } from '../test/seeded-random.ts'
import { toHex } from './test-support/hex.ts'

function jsIge(pass: typeof igeEncryptWordsJs, rk: Int32Array, iv: Uint8Array, data: Uint8Array): string {
  const w = new Int32Array(data.slice().buffer)
  pass(w, w, rk, new Int32Array(iv.slice().buffer))
  return toHex(new Uint8Array(w.buffer))
}

describe('AES-256-IGE WebAssembly core', () => {
  it('is available in Node and Chromium (no CSP here), so the fast path is what the other suites test', () => {
    expect(aesWasmAvailable()).toBe(true)
  })

  // 64 KiB is the chunk size: sizes around it check that the chain carries across chunks
  it.each([16, 64, 1024, 65536 - 16, 65536, 65536 + 16, 3 * 65536 + 48])(
    'equals the readable JS core at %i bytes, both directions, and round-trips',
    (n) => {
      const rnd = seededRandom(n)
      const ek = expandEncKey(rnd(32))
      const dk = expandDecKey(ek)
      const iv = rnd(32)
      const data = rnd(n)
      const enc = new Uint8Array(n)
      igeEncryptInto(ek, iv, data, enc)
      expect(toHex(enc)).toBe(jsIge(igeEncryptWordsJs, ek, iv, data))
      const dec = new Uint8Array(n)
      igeDecryptInto(dk, iv, enc, dec)
      expect(toHex(dec)).toBe(jsIge(igeDecryptWordsJs, dk, iv, enc))
      expect(toHex(dec)).toBe(toHex(data))
    },
  )

  it('works in place and on unaligned views, and leaves iv untouched', () => {
    const rnd = seededRandom(3)
    const ek = expandEncKey(rnd(32))
    const iv = rnd(32)
    const ivCopy = iv.slice()
    const data = rnd(4096)
    const want = jsIge(igeEncryptWordsJs, ek, iv, data)
    const buf = new Uint8Array(4096 + 3)
    const odd = buf.subarray(3)
    odd.set(data)
    igeEncryptInto(ek, iv, odd, odd)
    expect(toHex(odd)).toBe(want)
    expect(iv).toEqual(ivCopy)
    const back = new Uint8Array(4096 + 1).subarray(1)
    igeDecryptInto(expandDecKey(ek), iv, odd, back)
    expect(toHex(back)).toBe(toHex(data))
  })
})
