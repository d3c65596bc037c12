/**
 * Cross-checks against implementations this package does not use: node:crypto (AES-ECB
 * blocks with IGE chaining written here, AES-CTR, SHA) and @mtcute/wasm's IGE.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { getWasmUrl, ige256Decrypt, ige256Encrypt, initSync } from '@mtcute/wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../test/seeded-random.ts'
import { createCtrStream } from './aes-ctr.ts'
import { aesIgeDecrypt, aesIgeDecryptSync, aesIgeEncrypt, aesIgeEncryptSync } from './aes-ige.ts'
import { encryptBindMessageV1 } from './bind-message.ts'
import { decryptMessage, encryptMessage } from './message.ts'
import { obfuscationKeys, startObfuscation } from './obfuscation.ts'
import { ctrProcess } from './test-support/ctr.ts'

const rnd = seededRandom(2024)
const SIZES = [16, 48, 64, 80, 1008, 1024, 4112, 16384, 65552, 1 << 20]

function xor16(a: Buffer, b: Buffer): Buffer {
  const o = Buffer.alloc(16)
  for (let i = 0; i < 16; i++) o[i] = (a[i] as number) ^ (b[i] as number)
  return o
}

function ecb(key: Uint8Array, decrypt: boolean): (b: Buffer) => Buffer {
  const c = decrypt ? createDecipheriv('aes-256-ecb', key, null) : createCipheriv('aes-256-ecb', key, null)
  c.setAutoPadding(false)
  return (b) => c.update(b)
}

/** Reference IGE (encryption.md §3) over node:crypto AES-ECB. */
function refIge(decrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const block = ecb(key, decrypt)
  let c: Buffer = Buffer.from(iv.subarray(0, 16))
  let m: Buffer = Buffer.from(iv.subarray(16, 32))
  const out = Buffer.alloc(data.length)
  for (let i = 0; i < data.length; i += 16) {
    const x = Buffer.from(data.subarray(i, i + 16))
    if (decrypt) {
      const p = xor16(block(xor16(x, m)), c)
      p.copy(out, i)
      c = x
      m = p
    } else {
      const y = xor16(block(xor16(x, c)), m)
      y.copy(out, i)
      m = x
      c = y
    }
  }
  return new Uint8Array(out)
}

const sha256 = (...p: Uint8Array[]): Buffer => createHash('sha256').update(Buffer.concat(p)).digest()
const sha1 = (...p: Uint8Array[]): Buffer => createHash('sha1').update(Buffer.concat(p)).digest()

/** Reference MTProto 2.0 packet (encryption.md §1–2). */
function refEncrypt(authKey: Uint8Array, plain: Uint8Array, x: number): Uint8Array {
  const msgKey = sha256(authKey.subarray(88 + x, 120 + x), plain).subarray(8, 24)
  const a = sha256(msgKey, authKey.subarray(x, x + 36))
  const b = sha256(authKey.subarray(40 + x, 76 + x), msgKey)
  const key = Buffer.concat([a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32)])
  const iv = Buffer.concat([b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32)])
  return Buffer.concat([sha1(authKey).subarray(12, 20), msgKey, refIge(false, key, iv, plain)])
}

beforeAll(() => {
  initSync(readFileSync(fileURLToPath(getWasmUrl())))
})

describe('AES-256-IGE against node:crypto and @mtcute/wasm', () => {
  it.each(SIZES)('%i bytes: every path equals both references', async (n) => {
    const key = rnd(32)
    const iv = rnd(32)
    const data = rnd(n)
    const want = refIge(false, key, iv, data)
    expect(Buffer.from(ige256Encrypt(data, key, iv)).equals(want)).toBe(true)
    expect(Buffer.from(await aesIgeEncrypt(key, iv, data)).equals(want)).toBe(true)
    expect(Buffer.from(aesIgeEncryptSync(key, iv, data)).equals(want)).toBe(true)
    expect(Buffer.from(await aesIgeDecrypt(key, iv, want)).equals(data)).toBe(true)
    expect(Buffer.from(aesIgeDecryptSync(key, iv, want)).equals(data)).toBe(true)
    const foreign = rnd(n)
    expect(Buffer.from(aesIgeDecryptSync(key, iv, foreign)).equals(ige256Decrypt(foreign, key, iv))).toBe(true)
  })
})

describe('Node Buffers from the shared pool', () => {
  it('regression: Buffer.slice is a view, so inputs are copied with copyOf, never .slice()', async () => {
    const key = rnd(32)
    const iv = rnd(32)
    const data = rnd(64)
    const pooled = Buffer.from(data) // small Buffers live at an offset inside an 8 KiB pool
    expect(pooled.byteOffset % 16 !== 0 || pooled.buffer.byteLength > 64).toBe(true)
    const want = refIge(false, key, iv, data)
    expect(Buffer.from(aesIgeEncryptSync(Buffer.from(key), Buffer.from(iv), pooled)).equals(want)).toBe(true)
    expect(Buffer.from(await aesIgeEncrypt(Buffer.from(key), Buffer.from(iv), pooled)).equals(want)).toBe(true)
    expect(Buffer.from(aesIgeDecryptSync(key, iv, Buffer.from(want))).equals(data)).toBe(true)
    expect(pooled.equals(data)).toBe(true)
  })
})

describe('AES-256-CTR stream against node:crypto aes-256-ctr', () => {
  it.each([
    { name: 'random IV', iv: () => rnd(16) },
    { name: 'IV about to wrap 2^128', iv: () => new Uint8Array(16).fill(0xff) },
    { name: 'IV carrying across the low 64 bits', iv: () => Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0) },
  ])('$name: random chunkings equal one shot', async ({ iv: makeIv }) => {
    for (let round = 0; round < 6; round++) {
      // small keystream chunks put many chunk boundaries inside the frames
      const key = rnd(32)
      const iv = makeIv()
      const data = rnd(5000 + round * 777)
      const c = createCipheriv('aes-256-ctr', key, iv)
      const want = Buffer.concat([c.update(data), c.final()])
      const stream = createCtrStream(key, iv, { chunkBytes: [64, 1024, 65536][round % 3] })
      const pending: Promise<Uint8Array>[] = []
      let off = 0
      while (off < data.length) {
        const len = Math.min(data.length - off, ((rnd(2)[0] as number) | ((rnd(1)[0] as number) << 8)) % 700)
        // issued without awaiting: the stream must still apply chunks in order
        pending.push(ctrProcess(stream, data.subarray(off, off + len)))
        off += len
      }
      expect(Buffer.concat(await Promise.all(pending)).equals(want)).toBe(true)
      expect(stream.offset).toBe(data.length)
    }
  })
})

describe('MTProto 2.0 messages against a node:crypto reference KDF', () => {
  it('packets equal the reference and reference packets decrypt, both directions, small and large', async () => {
    const authKey = rnd(256)
    for (const [len, fromClient] of [[64, true], [1024, false], [16384, true], [512 * 1024, false]] as const) {
      const plain = rnd(len)
      new DataView(plain.buffer).setUint32(28, len - 32 - 16, true)
      const x = fromClient ? 0 : 8
      const ref = refEncrypt(authKey, plain, x)
      const ours = await encryptMessage(authKey, plain, fromClient)
      expect(Buffer.from(ours.packet).equals(ref)).toBe(true)
      const dec = await decryptMessage(authKey, ref, fromClient)
      expect(Buffer.from(dec.plaintext).equals(plain.subarray(0, len - 16))).toBe(true)
      const large = sha256(authKey.subarray(88 + x, 120 + x), plain)
      expect(ours.quickAckToken).toBe((large.readUInt32LE(0) | 0x80000000) >>> 0)
    }
  })
})

describe('bind message (encryption.md §7) against a node:crypto v1 reference', () => {
  it('decrypts with the v1 KDF to the 72 bytes plus 8 padding, with a matching SHA1 msg_key', () => {
    const perm = rnd(256)
    const plain = rnd(72)
    const pad = rnd(8)
    const enc = encryptBindMessageV1(perm, plain, (n) => pad.slice(0, n))
    expect(enc.length).toBe(104)
    expect(Buffer.from(enc.subarray(0, 8)).equals(sha1(perm).subarray(12, 20))).toBe(true)
    const msgKey = enc.subarray(8, 24)
    expect(Buffer.from(msgKey).equals(sha1(plain).subarray(4, 20))).toBe(true)
    const a = sha1(msgKey, perm.subarray(0, 32))
    const b = sha1(perm.subarray(32, 48), msgKey, perm.subarray(48, 64))
    const c = sha1(perm.subarray(64, 96), msgKey)
    const d = sha1(msgKey, perm.subarray(96, 128))
    const key = Buffer.concat([a.subarray(0, 8), b.subarray(8, 20), c.subarray(4, 16)])
    const iv = Buffer.concat([a.subarray(8, 20), b.subarray(0, 8), c.subarray(16, 20), d.subarray(0, 8)])
    expect(Buffer.from(refIge(true, key, iv, enc.subarray(24))).equals(Buffer.concat([plain, pad]))).toBe(true)
  })
})

describe('obfuscation (transports.md §3) against a node:crypto reference', () => {
  it('keys, secret mixing and the 64-byte header', async () => {
    const init = rnd(64)
    const secret = rnd(16)
    const rev = Buffer.from(init).reverse()
    const k = obfuscationKeys(init, secret)
    expect(Buffer.from(k.encKey).equals(sha256(init.subarray(8, 40), secret))).toBe(true)
    expect(Buffer.from(k.decKey).equals(sha256(rev.subarray(8, 40), secret))).toBe(true)
    expect(Buffer.from(k.decIv).equals(rev.subarray(40, 56))).toBe(true)
    const plainKeys = obfuscationKeys(init)
    const start = await startObfuscation(init)
    const enc = createCipheriv('aes-256-ctr', plainKeys.encKey, plainKeys.encIv)
    const full = enc.update(init)
    expect(Buffer.from(start.header).equals(Buffer.concat([init.subarray(0, 56), full.subarray(56, 64)]))).toBe(true)
    const next = rnd(100)
    expect(Buffer.from(await ctrProcess(start.encryptor, next)).equals(enc.update(next))).toBe(true)
    const dec = createCipheriv('aes-256-ctr', plainKeys.decKey, plainKeys.decIv)
    expect(Buffer.from(await ctrProcess(start.decryptor, next)).equals(dec.update(next))).toBe(true)
  })
})
