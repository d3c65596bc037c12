import { describe, expect, it, vi } from 'vitest'
import { expandDecKey, expandEncKey, igeEncryptWordsJs } from './aes-core.ts'
import { aesWasmAvailable, igeDecryptInto, igeEncryptInto } from './aes-wasm.ts'
import { sha256Js, sha256Sync, sha256WasmAvailable } from './sha-sync.ts'
import { disableWebAssembly } from './wasm-instance.ts'
import { createCtrStream } from './aes-ctr.ts'
import { ctrProcess } from './test-support/ctr.ts'
import { seededRandom } from '../test/seeded-random.ts'
import { toHex } from './test-support/hex.ts'

// Its own file: the switch is per realm, and each test file gets fresh modules.
describe('disableWebAssembly (a worker under a CSP without wasm-unsafe-eval)', () => {
  disableWebAssembly()

  it('leaves both modules uncompiled, so nothing is refused or reported', () => {
    expect(aesWasmAvailable()).toBe(false)
    expect(sha256WasmAvailable()).toBe(false)
  })

  it('IGE and SHA-256 give the same bytes on the JS paths', () => {
    const rnd = seededRandom(14)
    const ek = expandEncKey(rnd(32))
    const iv = rnd(32)
    const data = rnd(65536 + 16)
    const enc = new Uint8Array(data.length)
    igeEncryptInto(ek, iv, data, enc)
    const w = new Int32Array(data.slice().buffer)
    igeEncryptWordsJs(w, w, ek, new Int32Array(iv.slice().buffer))
    expect(toHex(enc)).toBe(toHex(new Uint8Array(w.buffer)))
    const dec = new Uint8Array(enc.length)
    igeDecryptInto(expandDecKey(ek), iv, enc, dec)
    expect(toHex(dec)).toBe(toHex(data))
    // FIPS 180-2 "abc"
    expect(toHex(sha256Sync(new TextEncoder().encode('abc')))).toBe('BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD')
    expect(toHex(sha256Sync(data))).toBe(toHex(sha256Js(data)))
  })

  it("a CTR stream's first 4 KiB come from the JS core, with no WebCrypto call, and equal one AES-CTR call", async () => {
    const rnd = seededRandom(15)
    const key = rnd(32) as Uint8Array<ArrayBuffer>
    const iv = rnd(16) as Uint8Array<ArrayBuffer>
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    const stream = createCtrStream(key, iv)
    const data = rnd(1500) as Uint8Array<ArrayBuffer>
    const got = await ctrProcess(stream, data)
    expect(importKey).not.toHaveBeenCalled()
    const k = await crypto.subtle.importKey('raw', key, { name: 'AES-CTR' }, false, ['encrypt'])
    const want = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 128 }, k, data))
    expect(toHex(got)).toBe(toHex(want))
  })
})
