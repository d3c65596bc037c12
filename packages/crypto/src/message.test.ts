import { describe, expect, it } from 'vitest'
import { seededRandom } from '../test/seeded-random.ts'
import vectors from '../test/vectors/auth-key-sample.json'
import {
  decryptMessage, decryptMessageNow, decryptMessageSync, encryptMessage, encryptMessageNow, encryptMessageSync, HASH_WEBCRYPTO_MIN_BYTES,
  MESSAGE_IGE_WEBCRYPTO_MIN_BYTES,
} from './message.ts'
import { prepareAuthKey } from './prepared-auth-key.ts'
import { hex, toHex } from './test-support/hex.ts'

const authKey = hex(vectors.authKey)
const rnd = seededRandom(42)

/** salt, session, msg_id, seq_no, length L, L bytes of data, `pad` bytes of padding. */
function plaintext(dataLength: number, pad: number, lengthField = dataLength): Uint8Array {
  const p = rnd(32 + dataLength + pad)
  new DataView(p.buffer).setUint32(28, lengthField, true)
  return p
}

describe('MTProto 2.0 message encryption', () => {
  it('round-trips in both directions with the raw and the prepared key', async () => {
    const prepared = prepareAuthKey(authKey)
    for (const fromClient of [true, false]) {
      const p = plaintext(40, 24)
      const enc = await encryptMessage(prepared, p, fromClient)
      expect(toHex(enc.packet.subarray(0, 8))).toBe(vectors.authKeyId)
      expect(enc.packet.length).toBe(24 + p.length)
      expect((await encryptMessage(authKey, p, fromClient)).packet).toEqual(enc.packet)
      const dec = await decryptMessage(authKey, enc.packet, fromClient)
      expect(dec.plaintext).toEqual(p.subarray(0, 72))
      expect(dec.quickAckToken).toBe(enc.quickAckToken)
      expect(enc.quickAckToken).toBeGreaterThanOrEqual(0x80000000)
      // the other direction's KDF cannot read it
      await expect(decryptMessage(authKey, enc.packet, !fromClient)).rejects.toMatchObject({ code: 'MSG_KEY_MISMATCH' })
    }
  })

  it('the sync path and the WebCrypto paths agree around both thresholds', async () => {
    for (const n of [HASH_WEBCRYPTO_MIN_BYTES - 16, HASH_WEBCRYPTO_MIN_BYTES, MESSAGE_IGE_WEBCRYPTO_MIN_BYTES + 16, 64 * 1024]) {
      const p = plaintext(n - 32 - 16, 16)
      const enc = await encryptMessage(authKey, p, true)
      const sync = encryptMessageSync(authKey, p, true)
      expect(sync.packet).toEqual(enc.packet)
      expect(sync.quickAckToken).toBe(enc.quickAckToken)
      const dec = await decryptMessage(authKey, enc.packet, true)
      expect(dec.plaintext).toEqual(p.subarray(0, n - 16))
      expect(decryptMessageSync(authKey, enc.packet, true)).toEqual(dec)
    }
  })

  it('issue #17: encryptMessageNow seals at once below the WebCrypto threshold, by promise from it, the same bytes either way', async () => {
    for (const n of [HASH_WEBCRYPTO_MIN_BYTES - 16, HASH_WEBCRYPTO_MIN_BYTES]) {
      const p = plaintext(n - 32 - 16, 16)
      const enc = encryptMessageNow(authKey, p, true)
      expect(enc instanceof Promise).toBe(n >= HASH_WEBCRYPTO_MIN_BYTES)
      expect((await enc).packet).toEqual(encryptMessageSync(authKey, p, true).packet)
    }
  })

  it('issue #17: decryptMessageNow opens at once below the WebCrypto threshold, by promise from it; a bad small packet throws at once', async () => {
    for (const n of [HASH_WEBCRYPTO_MIN_BYTES - 16, HASH_WEBCRYPTO_MIN_BYTES]) {
      const p = plaintext(n - 32 - 16, 16)
      const { packet } = encryptMessageSync(authKey, p, false)
      const dec = decryptMessageNow(authKey, packet, false)
      expect(dec instanceof Promise).toBe(n >= HASH_WEBCRYPTO_MIN_BYTES)
      expect(await dec).toEqual(decryptMessageSync(authKey, packet, false))
      const bad = packet.slice()
      bad[10] = (bad[10] as number) ^ 1
      if (n < HASH_WEBCRYPTO_MIN_BYTES) expect(() => decryptMessageNow(authKey, bad, false)).toThrow(expect.objectContaining({ code: 'MSG_KEY_MISMATCH' }))
      else await expect(decryptMessageNow(authKey, bad, false)).rejects.toMatchObject({ code: 'MSG_KEY_MISMATCH' })
    }
  })

  it('overlapping WebCrypto-path calls do not disturb each other (shared scratch buffer)', async () => {
    const inputs = [8192, 20000, 65536, 8192].map((n) => plaintext(n - 32 - 16 - (n % 16), 16))
    const packets = await Promise.all(inputs.map((p, i) => encryptMessage(authKey, p, i % 2 === 0)))
    packets.forEach((enc, i) => expect(enc.packet).toEqual(encryptMessageSync(authKey, inputs[i] as Uint8Array, i % 2 === 0).packet))
    const decs = await Promise.all(packets.map((enc, i) => decryptMessage(authKey, enc.packet, i % 2 === 0)))
    decs.forEach((d, i) => expect(d.plaintext).toEqual((inputs[i] as Uint8Array).subarray(0, d.plaintext.length)))
  })

  it('trims up to 15 excess bytes after the encrypted data (padded intermediate)', async () => {
    const p = plaintext(16, 16)
    const enc = await encryptMessage(authKey, p, false)
    const padded = new Uint8Array([...enc.packet, ...rnd(15)])
    expect((await decryptMessage(authKey, padded, false)).plaintext).toEqual(p.subarray(0, 48))
  })
})

describe('receive checks (encryption.md §4 client items 2–5)', () => {
  async function packetFor(p: Uint8Array): Promise<Uint8Array> {
    return (await encryptMessage(authKey, p, false)).packet
  }

  it.each([
    { rule: 'item 2: auth_key_id of another key', code: 'AUTH_KEY_ID_MISMATCH', mutate: (b: Uint8Array) => { b[3] = (b[3] as number) ^ 1 } },
    { rule: 'item 4: one flipped msg_key bit', code: 'MSG_KEY_MISMATCH', mutate: (b: Uint8Array) => { b[10] = (b[10] as number) ^ 0x80 } },
    { rule: 'item 4: one flipped ciphertext bit', code: 'MSG_KEY_MISMATCH', mutate: (b: Uint8Array) => { b[60] = (b[60] as number) ^ 1 } },
  ])('$rule → $code', async ({ mutate, code }) => {
    const b = await packetFor(plaintext(32, 16))
    mutate(b)
    await expect(decryptMessage(authKey, b, false)).rejects.toMatchObject({ name: 'SecurityError', code })
  })

  it('item 4: a truncated packet fails msg_key, and one without a msg_key fails length', async () => {
    const b = await packetFor(plaintext(64, 16))
    await expect(decryptMessage(authKey, b.subarray(0, b.length - 16), false)).rejects.toMatchObject({ code: 'MSG_KEY_MISMATCH' })
    await expect(decryptMessage(authKey, b.subarray(0, 20), false)).rejects.toMatchObject({ code: 'BAD_LENGTH' })
  })

  it.each([
    { rule: 'item 5: length field past the end', data: 32, pad: 16, field: 64, code: 'BAD_LENGTH' },
    { rule: 'item 5: length field not a multiple of 4', data: 32, pad: 16, field: 30, code: 'BAD_LENGTH' },
    { rule: 'item 5: negative length field', data: 32, pad: 16, field: 0xfffffff0, code: 'BAD_LENGTH' },
    { rule: 'item 5: padding below 12', data: 40, pad: 8, field: 40, code: 'BAD_PADDING' },
    { rule: 'item 5: padding above 1024', data: 0, pad: 1040, field: 0, code: 'BAD_PADDING' },
  ])('$rule → $code (msg_key itself is valid)', async ({ data, pad, field, code }) => {
    const b = await packetFor(plaintext(data, pad, field))
    await expect(decryptMessage(authKey, b, false)).rejects.toMatchObject({ code })
  })

  it('accepts the padding bounds 12 and 1024', async () => {
    for (const [data, pad] of [[20, 12], [16, 1024]] as const) {
      const p = plaintext(data, pad)
      expect((await decryptMessage(authKey, await packetFor(p), false)).plaintext).toEqual(p.subarray(0, 32 + data))
    }
  })

  it('rejects a plaintext that is not block aligned and a wrong-size key', async () => {
    await expect(encryptMessage(authKey, new Uint8Array(50), true)).rejects.toMatchObject({ code: 'NOT_BLOCK_ALIGNED' })
    await expect(encryptMessage(new Uint8Array(128), new Uint8Array(64), true)).rejects.toMatchObject({ code: 'BAD_KEY_LENGTH' })
  })
})
