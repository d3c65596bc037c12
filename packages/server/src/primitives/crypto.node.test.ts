import { createCipheriv, createPublicKey, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { igeDecrypt, igeDecryptBlocks, igeEncrypt } from './aes-ige.ts'
import { bigFromBytes, modPow } from './bytes.ts'
import { dhGenerate, dhSharedKey, DH_G, DH_PRIME } from './dh.ts'
import { generatePq } from './pq.ts'
import { loadRsaKey, generateRsaPrivatePem, rsaFingerprint } from './rsa-key.ts'

const hex = (s: string): Buffer => Buffer.from(s, 'hex')

describe('AES-IGE (encryption.md §3; OpenSSL igetest.c vectors, test-vectors.md C1)', () => {
  it('vector 0 encrypts', () => {
    const out = igeEncrypt(Buffer.alloc(32), hex('000102030405060708090A0B0C0D0E0F'), hex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F'))
    expect(out.toString('hex')).toBe('1a8519a6557be652e9da8e43da4ef4453cf456b4ca488aa383c79c98b34797cb')
  })
  it('vector 1 decrypts', () => {
    const out = igeDecrypt(
      hex('4C2E204C6574277320686F70652042656E20676F74206974207269676874210A'),
      hex('5468697320697320616E20696D706C65'),
      hex('6D656E746174696F6E206F6620494745206D6F646520666F72204F70656E5353'),
    )
    expect(out.toString('hex')).toBe('99706487a1cde613bc6de0b6f24b1c7aa448c8b9c3403e3467a8cad89340f53b')
  })
  it('vector 1 encrypts back (exercises the one-call CBC encrypt path)', () => {
    const out = igeEncrypt(
      hex('99706487A1CDE613BC6DE0B6F24B1C7AA448C8B9C3403E3467A8CAD89340F53B'),
      hex('5468697320697320616E20696D706C65'),
      hex('6D656E746174696F6E206F6620494745206D6F646520666F72204F70656E5353'),
    )
    expect(out.toString('hex')).toBe('4c2e204c6574277320686f70652042656e20676f74206974207269676874210a')
  })
  it.each([16, 32, 48, 64, 1040, 65536])('encrypt of %i bytes equals a block-by-block ECB chain', (n) => {
    const data = randomBytes(n)
    const key = randomBytes(32)
    const iv = randomBytes(32)
    const ecb = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false)
    const want = Buffer.alloc(n)
    let prevC = iv.subarray(0, 16)
    let prevM = iv.subarray(16, 32)
    for (let off = 0; off < n; off += 16) {
      const m = data.subarray(off, off + 16)
      const e = ecb.update(Buffer.from(m.map((b, i) => b ^ (prevC[i] as number))))
      want.set(e.map((b, i) => b ^ (prevM[i] as number)), off)
      prevC = want.subarray(off, off + 16)
      prevM = m
    }
    expect(igeEncrypt(data, key, iv).equals(want)).toBe(true)
  })
  it.each([16, 32, 48, 1040, 65536, 512 * 1024])('AES-256 decrypt of %i bytes (@mtcute/wasm) equals the block-by-block reference', (n) => {
    const data = randomBytes(n)
    const key = randomBytes(32)
    const iv = randomBytes(32)
    expect(igeDecrypt(data, key, iv).equals(igeDecryptBlocks(data, key, iv))).toBe(true)
  })
  it('encrypt of unaligned views (odd byteOffset) is the same as of a copy', () => {
    const backing = randomBytes(16 * 9 + 3)
    const data = backing.subarray(3)
    const key = randomBytes(32)
    const iv = Buffer.from(randomBytes(33).subarray(1))
    expect(igeEncrypt(data, key, iv).equals(igeEncrypt(Buffer.from(data), key, Buffer.from(iv)))).toBe(true)
  })
  it('AES-256 round trip over many blocks', () => {
    const data = randomBytes(16 * 40)
    const key = randomBytes(32)
    const iv = randomBytes(32)
    expect(igeDecrypt(igeEncrypt(data, key, iv), key, iv).equals(data)).toBe(true)
  })
})

describe('DH through OpenSSL equals the BigInt reference (auth-key.md step 6)', () => {
  it.each([0, 1, 2, 3])('draw %i', () => {
    const a = dhGenerate(randomBytes)
    expect(a.publicValue).toBe(modPow(BigInt(DH_G), a.exponent, DH_PRIME))
    const b = dhGenerate(randomBytes)
    const shared = dhSharedKey(b.publicValue, a.exponent)
    expect(shared.length).toBe(256)
    expect(bigFromBytes(shared)).toBe(modPow(b.publicValue, a.exponent, DH_PRIME))
    expect(shared.equals(dhSharedKey(a.publicValue, b.exponent))).toBe(true)
  })
})

describe('pq and RSA', () => {
  it('pq is a product of two distinct primes p < q below 2^63', () => {
    const { p, q, pq } = generatePq((n) => new Uint8Array(randomBytes(n)))
    expect(p < q).toBe(true)
    expect(pq).toBe(p * q)
    expect(pq < 2n ** 63n).toBe(true)
  })
  it('fingerprint of the Telegram production key is 0xd09d1d85de64fd85 (test-vectors.md C2)', () => {
    const jwk = createPublicKey(PRODUCTION_PEM).export({ format: 'jwk' })
    const fp = rsaFingerprint(Buffer.from(jwk.n!, 'base64url'), Buffer.from(jwk.e!, 'base64url'))
    expect(fp).toBe(BigInt.asIntN(64, 0xd09d1d85de64fd85n))
  })
  it('a generated key serves a PKCS#1 PEM whose fingerprint matches', () => {
    const key = loadRsaKey(generateRsaPrivatePem())
    expect(key.publicPem).toContain('BEGIN RSA PUBLIC KEY')
    const jwk = createPublicKey(key.publicPem).export({ format: 'jwk' })
    expect(rsaFingerprint(Buffer.from(jwk.n!, 'base64url'), Buffer.from(jwk.e!, 'base64url'))).toBe(key.fingerprint)
  })
})

const PRODUCTION_PEM = `-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g
5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO
62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/
+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9
t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs
5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB
-----END RSA PUBLIC KEY-----`
