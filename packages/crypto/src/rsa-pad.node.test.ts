// RSA_PAD checked against node:crypto only: a fresh RSA-2048 key, raw RSA decryption
// and an IGE built here from AES-256-ECB, so no primitive of ours checks itself.
import { constants, createCipheriv, createDecipheriv, createHash, generateKeyPairSync, privateDecrypt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseRsaPublicKeyPem, rsaPadEncrypt } from './index.ts'
import { seededRandom } from '../test/seeded-random.ts'

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 })
const pkcs1Pem = publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()
const spkiPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
const jwk = publicKey.export({ format: 'jwk' })

const sha256 = (...parts: Uint8Array[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest()
const xor = (a: Uint8Array, b: Uint8Array): Buffer => Buffer.from(a.map((x, i) => x ^ (b[i] as number)))

function ige(key: Uint8Array, data: Uint8Array, decrypt: boolean): Buffer {
  const ecb = decrypt ? createDecipheriv('aes-256-ecb', key, null) : createCipheriv('aes-256-ecb', key, null)
  ecb.setAutoPadding(false)
  // Zero IV: previous ciphertext and previous plaintext blocks both start as zeros.
  let prevC: Uint8Array = Buffer.alloc(16)
  let prevP: Uint8Array = Buffer.alloc(16)
  const out: Buffer[] = []
  for (let i = 0; i < data.length; i += 16) {
    const block = data.subarray(i, i + 16)
    if (decrypt) {
      const p = xor(ecb.update(xor(block, prevP)), prevC)
      out.push(p)
      prevC = block
      prevP = p
    } else {
      const c = xor(ecb.update(xor(block, prevC)), prevP)
      out.push(c)
      prevP = block
      prevC = c
    }
  }
  return Buffer.concat(out)
}

/** Server side of auth-key.md step 5.5. */
function unpad(encrypted: Uint8Array): { data: Buffer; tempKey: Buffer } {
  const x = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, encrypted)
  const aesEncrypted = x.subarray(32)
  const tempKey = xor(x.subarray(0, 32), sha256(aesEncrypted))
  const dataWithHash = ige(tempKey, aesEncrypted, true)
  const data = Buffer.from(dataWithHash.subarray(0, 192)).reverse()
  expect(sha256(tempKey, data)).toEqual(dataWithHash.subarray(192))
  return { data, tempKey }
}

/** Client steps 4.3–4.8 for a given temp_key, to find one whose x is ≥ n. */
function xFor(data192: Uint8Array, tempKey: Uint8Array): bigint {
  const reversed = Buffer.from(data192).reverse()
  const aesEncrypted = ige(tempKey, Buffer.concat([reversed, sha256(tempKey, data192)]), false)
  return BigInt('0x' + Buffer.concat([xor(tempKey, sha256(aesEncrypted)), aesEncrypted]).toString('hex'))
}

describe('rsaPadEncrypt against node:crypto raw RSA', () => {
  const key = parseRsaPublicKeyPem(pkcs1Pem)

  it('our parser reads node’s PKCS#1 and SPKI exports as the same key', () => {
    expect(Buffer.from(key.n).toString('base64url')).toBe(jwk.n)
    expect(Buffer.from(key.e).toString('base64url')).toBe(jwk.e)
    expect(parseRsaPublicKeyPem(spkiPem)).toEqual(key)
  })

  it('100 bytes of data unpad to the input', async () => {
    const random = seededRandom(100)
    for (let i = 0; i < 5; i++) {
      const data = random(100)
      const out = await rsaPadEncrypt(data, key, random)
      expect(out).toHaveLength(256)
      expect(unpad(out).data.subarray(0, 100)).toEqual(Buffer.from(data))
    }
  })

  it('a first temp_key with x ≥ n is redrawn; the server recovers the second', async () => {
    const n = BigInt('0x' + Buffer.from(key.n).toString('hex'))
    const data = seededRandom(1)(100)
    const padding = seededRandom(2)(92)
    const data192 = Buffer.concat([data, padding])
    const candidates = seededRandom(3)
    let oversize = candidates(32)
    while (xFor(data192, oversize) < n) oversize = candidates(32)
    let good = candidates(32)
    while (xFor(data192, good) >= n) good = candidates(32)

    const draws = [padding, oversize, good].map((b) => b.slice())
    const out = await rsaPadEncrypt(data, key, () => draws.shift() as Uint8Array)
    expect(draws).toHaveLength(0)
    const server = unpad(out)
    expect(server.tempKey).toEqual(Buffer.from(good))
    expect(server.data).toEqual(data192)
  })
})
