import { describe, expect, it } from 'vitest'
import { aesIgeDecryptSync } from './aes-ige.ts'
import { bigIntToBytes, bytesToBigInt } from './bigint.ts'
import { modPow } from './modpow.ts'
import { parseRsaPublicKeyPem } from './rsa-key.ts'
import { rsaPadEncrypt } from './rsa-pad.ts'
import { sha256Sync } from './sha-sync.ts'
import testKey from '../test/vectors/rsa-test-key.json'
import telegram from '../test/vectors/rsa-keys.json'
import { seededRandom } from '../test/seeded-random.ts'

const key = parseRsaPublicKeyPem(testKey.pem)
const n = BigInt('0x' + testKey.n)
const d = BigInt('0x' + testKey.d)

/** The server side of step 5.5, with the test key's private exponent. */
function unpad(encrypted: Uint8Array): { data: Uint8Array; tempKey: Uint8Array } {
  const x = bigIntToBytes(modPow(bytesToBigInt(encrypted), d, n), 256)
  const aesEncrypted = x.subarray(32)
  const mask = sha256Sync(aesEncrypted)
  const tempKey = x.slice(0, 32).map((b, i) => b ^ (mask[i] as number))
  const dataWithHash = aesIgeDecryptSync(tempKey, new Uint8Array(32), aesEncrypted)
  const data = dataWithHash.slice(0, 192).reverse()
  expect(sha256Sync(tempKey, data)).toEqual(dataWithHash.subarray(192))
  return { data, tempKey }
}

const codeOf = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'no error',
    (e: { code?: unknown }) => e.code,
  )

describe('rsaPadEncrypt (auth-key.md step 4)', () => {
  it('round-trips through the server-side unpad, padding to 192 bytes', async () => {
    const random = seededRandom(3)
    const data = random(100)
    const out = await rsaPadEncrypt(data, key, random)
    expect(out).toHaveLength(256)
    expect(bytesToBigInt(out) < n).toBe(true)
    const { data: padded } = unpad(out)
    expect(padded.subarray(0, 100)).toEqual(data)
  })

  it('accepts exactly 144 bytes and refuses 145', async () => {
    const random = seededRandom(4)
    const max = random(144)
    expect(unpad(await rsaPadEncrypt(max, key, random)).data.subarray(0, 144)).toEqual(max)
    expect(await codeOf(rsaPadEncrypt(random(145), key, random))).toBe('BAD_LENGTH')
  })

  it('is deterministic for a given random stream', async () => {
    const data = seededRandom(5)(100)
    const a = await rsaPadEncrypt(data, key, seededRandom(6))
    const b = await rsaPadEncrypt(data, key, seededRandom(6))
    expect(a).toEqual(b)
  })

  it('redraws temp_key while x ≥ n (modulus just above 2^2047: about half the draws)', async () => {
    // No private key here: check the loop by counting temp_key draws. With n = 2^2047 + 1
    // every x with the top bit set is ≥ n, so over 20 runs some must redraw.
    const tiny = { n: bigIntToBytes((1n << 2047n) + 1n, 256), e: Uint8Array.of(3), fingerprint: 0n }
    const random = seededRandom(8)
    let tempKeyDraws = 0
    const counting = (len: number): Uint8Array => {
      if (len === 32) tempKeyDraws++
      return random(len)
    }
    for (let i = 0; i < 20; i++) {
      const out = await rsaPadEncrypt(random(100), tiny, counting)
      expect(bytesToBigInt(out) < (1n << 2047n) + 1n).toBe(true)
    }
    expect(tempKeyDraws).toBeGreaterThan(20)
  })

  it('encrypts under the Telegram production key (output < n, 256 bytes)', async () => {
    const prod = parseRsaPublicKeyPem(telegram.keys[1]?.pem ?? '')
    const out = await rsaPadEncrypt(seededRandom(9)(100), prod, seededRandom(10))
    expect(out).toHaveLength(256)
    expect(bytesToBigInt(out) < bytesToBigInt(prod.n)).toBe(true)
  })

  it('refuses a modulus that is not 2048 bits', async () => {
    const short = { n: key.n.subarray(1), e: key.e, fingerprint: 0n }
    expect(await codeOf(rsaPadEncrypt(new Uint8Array(100), short, seededRandom(1)))).toBe('BAD_RSA_KEY')
  })

  it('wipes the temp_key it was handed', async () => {
    const random = seededRandom(12)
    const handed: Uint8Array[] = []
    await rsaPadEncrypt(random(100), key, (len) => {
      const r = random(len)
      if (len === 32) handed.push(r)
      return r
    })
    expect(handed.length).toBeGreaterThan(0)
    for (const t of handed) expect(t.every((b) => b === 0)).toBe(true)
  })
})
