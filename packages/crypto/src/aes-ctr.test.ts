import { afterEach, describe, expect, it, vi } from 'vitest'
import { seededRandom } from '../test/seeded-random.ts'
import { createCtrStream, type CtrStream } from './aes-ctr.ts'
import { concatBytes } from './bytes.ts'
import type { CryptoError } from './errors.ts'
import { ctrProcess } from './test-support/ctr.ts'

/** The reference: one WebCrypto AES-CTR call over the whole stream. */
async function oneShot(key: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'AES-CTR' }, false, ['encrypt'])
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 128 }, k, data))
}

/** Sends `sizes` as frames without waiting; results in the order `out` was called. */
function sendAll(stream: CtrStream, data: Uint8Array, sizes: number[]): { outs: { frame: number; bytes: Uint8Array }[]; syncFrames: number[] } {
  const outs: { frame: number; bytes: Uint8Array }[] = []
  const syncFrames: number[] = []
  let at = 0
  sizes.forEach((size, frame) => {
    let returned = false
    stream.process(data.subarray(at, at + size), (bytes) => {
      if (!returned) syncFrames.push(frame)
      outs.push({ frame, bytes })
    })
    returned = true
    at += size
  })
  return { outs, syncFrames }
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1))
  expect(cond()).toBe(true)
}

const random = seededRandom(17)
const key = random(32) as Uint8Array<ArrayBuffer>

afterEach(() => vi.restoreAllMocks())

describe('AES-256-CTR keystream made ahead (transports.md §3 step 6; issue #17 "Synchronous obfuscation")', () => {
  it.each([
    { name: 'random IV, 64-byte chunks: most frames cross a chunk boundary', iv: random(16), chunkBytes: 64 },
    { name: 'IV about to wrap 2^128, 48-byte chunks', iv: new Uint8Array(16).fill(0xff), chunkBytes: 48 },
    { name: 'IV carrying out of the low 64 bits, default 64 KiB chunks', iv: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0), chunkBytes: undefined },
  ])('$name: odd frame sizes equal one AES-CTR call over the whole stream', async ({ iv, chunkBytes }) => {
    // odd sizes, a frame of several chunks at once, and an empty frame
    const sizes = [1, 15, 17, 63, 64, 65, 0, 333, 7, 1000, 16, 3, 70_001, 129, 5]
    const total = sizes.reduce((a, b) => a + b, 0)
    const data = random(total) as Uint8Array<ArrayBuffer>
    const want = await oneShot(key, iv as Uint8Array<ArrayBuffer>, data)
    const sent = data.slice()
    const stream = createCtrStream(key, iv, chunkBytes === undefined ? {} : { chunkBytes })
    const { outs } = sendAll(stream, data, sizes)
    await until(() => outs.length === sizes.length)
    expect(outs.map((o) => o.frame)).toEqual(sizes.map((_, i) => i))
    expect(concatBytes(...outs.map((o) => o.bytes))).toEqual(want)
    expect(stream.offset).toBe(total)
    expect(data).toEqual(sent)
  })

  it('frames that fit the keystream made ahead come out before process() returns', async () => {
    const iv = random(16)
    const stream = createCtrStream(key, iv, { chunkBytes: 4096 })
    await ctrProcess(stream, new Uint8Array(1))
    const data = random(3000)
    const { outs, syncFrames } = sendAll(stream, data, [100, 900, 2000])
    expect(syncFrames).toEqual([0, 1, 2])
    const want = await oneShot(key, iv as Uint8Array<ArrayBuffer>, concatBytes(new Uint8Array(1), data) as Uint8Array<ArrayBuffer>)
    expect(concatBytes(...outs.map((o) => o.bytes))).toEqual(want.subarray(1))
  })

  it('frames sent while a refill is pending wait behind it and come out in order, even ones that would fit', async () => {
    const iv = random(16)
    const stream = createCtrStream(key, iv, { chunkBytes: 64 })
    await ctrProcess(stream, new Uint8Array(1))
    // 63 bytes are left: 40 fit at once; 100 must wait for keystream; 1 would fit but may not overtake
    const sizes = [40, 100, 1, 2, 200, 3]
    const data = random(346)
    const { outs, syncFrames } = sendAll(stream, data, sizes)
    expect(syncFrames).toEqual([0])
    expect(outs.map((o) => o.frame)).toEqual([0])
    await until(() => outs.length === sizes.length)
    expect(outs.map((o) => o.frame)).toEqual([0, 1, 2, 3, 4, 5])
    const want = await oneShot(key, iv as Uint8Array<ArrayBuffer>, concatBytes(new Uint8Array(1), data) as Uint8Array<ArrayBuffer>)
    expect(concatBytes(...outs.map((o) => o.bytes))).toEqual(want.subarray(1))
  })

  it("makes a connection's first 4 KiB on the AES core: no WebCrypto call (not even importKey) until under 1 KiB of it is left unclaimed", async () => {
    const encrypt = vi.spyOn(crypto.subtle, 'encrypt')
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    const iv = random(16)
    const stream = createCtrStream(key, iv)
    const data = random(3200)
    // a stored-key connect's incoming frames (~2 KiB in all): each comes out before process() returns
    const { outs, syncFrames } = sendAll(stream, data, [64, 52, 353, 404, 1000, 200])
    expect(syncFrames).toEqual([0, 1, 2, 3, 4, 5])
    expect(encrypt).not.toHaveBeenCalled()
    expect(importKey).not.toHaveBeenCalled()
    // past 3 KiB (896 bytes left unclaimed), the first WebCrypto chunk is started
    outs.push(...sendAll(stream, data.subarray(2073), [1127]).outs)
    expect(importKey).toHaveBeenCalledTimes(1)
    await until(() => encrypt.mock.calls.length === 1)
    // frames across the core's part and WebCrypto's chunk continue one stream
    const more = random(5000)
    const later = sendAll(stream, more, [1000, 3000, 1000]).outs
    await until(() => later.length === 3)
    const want = await oneShot(key, iv as Uint8Array<ArrayBuffer>, concatBytes(data, more) as Uint8Array<ArrayBuffer>)
    expect(concatBytes(...outs.map((o) => o.bytes), ...later.map((o) => o.bytes))).toEqual(want)
  })

  it('wipes keystream once consumed, and all of it on close(); later calls throw CLOSED', async () => {
    const made: ArrayBuffer[] = []
    const encrypt = crypto.subtle.encrypt.bind(crypto.subtle)
    vi.spyOn(crypto.subtle, 'encrypt').mockImplementation(async (...args: Parameters<SubtleCrypto['encrypt']>) => {
      const out = await encrypt(...args)
      made.push(out)
      return out
    })
    const stream = createCtrStream(key, random(16), { chunkBytes: 32 })
    // the 32 bytes the core makes, then 16 of WebCrypto's first chunk
    await ctrProcess(stream, random(48))
    await until(() => made.length >= 2)
    // the first chunk's consumed half is zero, its other half and the next chunk hold keystream
    const firstChunk = new Uint8Array(made[0]!)
    expect(firstChunk.subarray(0, 16).every((b) => b === 0)).toBe(true)
    expect(firstChunk.subarray(16).some((b) => b !== 0)).toBe(true)
    expect(new Uint8Array(made[1]!).some((b) => b !== 0)).toBe(true)
    const dropped: Uint8Array[] = []
    stream.process(random(100), (b) => dropped.push(b))
    stream.close()
    for (const m of made) expect(new Uint8Array(m).every((b) => b === 0)).toBe(true)
    expect(() => stream.process(new Uint8Array(1), () => undefined)).toThrow(expect.objectContaining({ code: 'CLOSED' }))
    // the refill the waiting frame started lands after close() and is wiped too
    await until(() => made.length === 3)
    await new Promise((r) => setTimeout(r, 5))
    for (const m of made) expect(new Uint8Array(m).every((b) => b === 0)).toBe(true)
    expect(dropped).toEqual([])
  })

  it('a refill WebCrypto rejects is a CTR_REFILL_FAILED on onError, and the stream is closed', async () => {
    vi.spyOn(crypto.subtle, 'encrypt').mockRejectedValue(new DOMException('boom', 'OperationError'))
    const errors: CryptoError[] = []
    const stream = createCtrStream(key, random(16), { onError: (e) => errors.push(e) })
    const outs: Uint8Array[] = []
    // more than the core's 4 KiB: this frame needs WebCrypto's keystream
    stream.process(random(5000), (b) => outs.push(b))
    await until(() => errors.length === 1)
    expect(errors[0]).toMatchObject({ code: 'CTR_REFILL_FAILED' })
    expect(outs).toEqual([])
    expect(() => stream.process(new Uint8Array(1), () => undefined)).toThrow(expect.objectContaining({ code: 'CLOSED' }))
  })

  it('an importKey that throws at once (no crypto.subtle) is a CTR_REFILL_FAILED too, and the key copy is wiped', async () => {
    const seen: Uint8Array[] = []
    vi.spyOn(crypto.subtle, 'importKey').mockImplementation((_format, raw) => {
      seen.push(raw as Uint8Array)
      throw new TypeError('crypto.subtle is not available')
    })
    const errors: CryptoError[] = []
    const stream = createCtrStream(key, random(16), { onError: (e) => errors.push(e) })
    const outs: Uint8Array[] = []
    expect(() => stream.process(random(5000), (b) => outs.push(b))).not.toThrow()
    await until(() => errors.length === 1)
    expect(errors[0]).toMatchObject({ code: 'CTR_REFILL_FAILED' })
    expect(outs).toEqual([])
    expect(seen).toHaveLength(1)
    expect(seen[0]!.every((b) => b === 0)).toBe(true)
    expect(() => stream.process(new Uint8Array(1), () => undefined)).toThrow(expect.objectContaining({ code: 'CLOSED' }))
  })

  it('rejects a chunk size that would break counter continuity', () => {
    expect(() => createCtrStream(key, random(16), { chunkBytes: 40 })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
    expect(() => createCtrStream(key, random(16), { chunkBytes: 0 })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
  })
})
