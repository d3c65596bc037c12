import { describe, expect, it } from 'vitest'
import vectors from '../test/vectors/auth-key-sample.json'
import { expandDecKey, expandEncKey } from './aes-core.ts'
import { igeDecryptInto, igeEncryptInto } from './aes-wasm.ts'
import { IGE_WEBCRYPTO_MIN_BYTES, aesIgeDecrypt, aesIgeDecryptSync, aesIgeEncrypt, aesIgeEncryptSync, igeEncryptWebCrypto } from './aes-ige.ts'
import { forgetAesKey, importCbcKey } from './aes-key-cache.ts'
import { sha1Sync } from './sha-sync.ts'
import { seededRandom } from '../test/seeded-random.ts'
import { hex, toHex } from './test-support/hex.ts'

// AES-128 schedules take the JS core (the WebAssembly core is AES-256 only)
function ige128(op: string, key: Uint8Array, iv: Uint8Array, input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length)
  const ek = expandEncKey(key)
  if (op === 'encrypt') igeEncryptInto(ek, iv, input, out)
  else igeDecryptInto(expandDecKey(ek), iv, input, out)
  return out
}

describe('AES-IGE core', () => {
  it.each(vectors.opensslIge)('openssl igetest.c $op vector (test-vectors.md §C1)', (v) => {
    expect(toHex(ige128(v.op, hex(v.key), hex(v.iv), hex(v.in)))).toBe(v.out)
    const back = v.op === 'encrypt' ? 'decrypt' : 'encrypt'
    expect(toHex(ige128(back, hex(v.key), hex(v.iv), hex(v.out)))).toBe(v.in)
  })
})

describe('AES-256-IGE on the official auth-key sample', () => {
  const key = hex(vectors.tmpAesKey)
  const iv = hex(vectors.tmpAesIv)

  it('§A6: decrypting encrypted_answer gives answer_with_hash (async and sync)', async () => {
    const enc = hex(vectors.encryptedAnswer)
    expect(toHex(await aesIgeDecrypt(key, iv, enc))).toBe(vectors.answerWithHash)
    expect(toHex(aesIgeDecryptSync(key, iv, enc))).toBe(vectors.answerWithHash)
  })

  it('§A7a: encrypting SHA1(data)+data+padding gives encrypted_data (WebCrypto and JS)', async () => {
    const data = hex(vectors.clientDhInnerData)
    const plain = new Uint8Array([...sha1Sync(data), ...data, ...hex(vectors.clientDhPadding)])
    expect(toHex(await aesIgeEncrypt(key, iv, plain))).toBe(vectors.clientEncryptedData)
    expect(toHex(aesIgeEncryptSync(key, iv, plain))).toBe(vectors.clientEncryptedData)
    expect(toHex(await igeEncryptWebCrypto(await importCbcKey(key), iv, plain))).toBe(vectors.clientEncryptedData)
  })

  it('the WebCrypto CBC trick equals the JS core for every size 16..2064 and unaligned input', async () => {
    const rnd = seededRandom(7)
    for (let n = 16; n <= 2064; n += 16 * 7) {
      const k = rnd(32)
      const v = rnd(32)
      const buf = rnd(n + 1).subarray(1) // odd byteOffset exercises the aligned-copy path
      const viaCbc = await igeEncryptWebCrypto(await importCbcKey(k), v, buf)
      expect(toHex(viaCbc)).toBe(toHex(aesIgeEncryptSync(k, v, buf)))
      expect(toHex(aesIgeDecryptSync(k, v, viaCbc))).toBe(toHex(buf))
    }
  })

  it('aesIgeEncrypt gives the same bytes on both sides of its WebCrypto threshold', async () => {
    const rnd = seededRandom(11)
    const k = rnd(32)
    const v = rnd(32)
    for (const n of [IGE_WEBCRYPTO_MIN_BYTES - 16, IGE_WEBCRYPTO_MIN_BYTES]) {
      const data = rnd(n)
      expect(toHex(await aesIgeEncrypt(k, v, data))).toBe(toHex(aesIgeEncryptSync(k, v, data)))
    }
  })

  it('does not modify its input and handles empty data', async () => {
    const data = hex(vectors.encryptedAnswer)
    const copy = data.slice()
    await aesIgeDecrypt(key, iv, data)
    await aesIgeEncrypt(key, iv, data)
    expect(data).toEqual(copy)
    expect((await aesIgeEncrypt(key, iv, new Uint8Array(0))).length).toBe(0)
  })

  it.each([
    { rule: 'key must be 32 bytes', args: [new Uint8Array(16), new Uint8Array(32), new Uint8Array(16)], code: 'BAD_KEY_LENGTH' },
    { rule: 'iv must be 32 bytes', args: [new Uint8Array(32), new Uint8Array(16), new Uint8Array(16)], code: 'BAD_IV_LENGTH' },
    { rule: 'data must be block aligned', args: [new Uint8Array(32), new Uint8Array(32), new Uint8Array(17)], code: 'NOT_BLOCK_ALIGNED' },
  ] as const)('rejects bad input: $rule', async ({ args, code }) => {
    for (const f of [aesIgeEncryptSync, aesIgeDecryptSync]) expect(() => f(...args)).toThrow(expect.objectContaining({ code }))
    for (const f of [aesIgeEncrypt, aesIgeDecrypt]) await expect(f(...args)).rejects.toMatchObject({ code })
  })
})

describe('forgetAesKey', () => {
  it('wipes the cached round keys of a one-shot key, so a later use starts from the caller bytes', async () => {
    const key = new Uint8Array(32).fill(7)
    const iv = new Uint8Array(32).fill(1)
    const data = new Uint8Array(32).fill(9)
    const before = await aesIgeEncrypt(key, iv, data)
    forgetAesKey(key)
    // A wiped-but-still-cached entry would encrypt under round keys of zeros.
    expect(await aesIgeEncrypt(key, iv, data)).toEqual(before)
    expect(aesIgeDecryptSync(key, iv, before)).toEqual(data)
  })
})
