import { describe, expect, it } from 'vitest'
import { asyncCodeOf } from '../test/error-code.ts'
import { rng } from '../test/seeded.ts'
import { GZIP_MAX_BYTES_DEFAULT, InflateBudget, deserializeObject, gzipPack, gzipUnpack, serializeObject } from './index.ts'


async function zlib(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(data)]).stream().pipeThrough(new CompressionStream('deflate'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

describe('gzip_packed payloads', () => {
  it('gzipPack writes a gzip stream (1f 8b) that gzipUnpack restores', async () => {
    const data = rng(7).bytes(5000)
    const packed = await gzipPack(data)
    expect([packed[0], packed[1]]).toEqual([0x1f, 0x8b])
    expect(await gzipUnpack(packed)).toEqual(data)
  })

  it('a packed TL object survives the trip (rpc_result → gzip_packed → object)', async () => {
    const inner = serializeObject({ _: 'pong', msg_id: 1n, ping_id: 2n })
    const wrapped = deserializeObject(serializeObject({ _: 'gzip_packed', packed_data: await gzipPack(inner) }))
    if (wrapped._ !== 'gzip_packed') throw new Error(wrapped._)
    expect(deserializeObject(await gzipUnpack(wrapped.packed_data))).toEqual({ _: 'pong', msg_id: 1n, ping_id: 2n })
  })

  it('accepts a zlib (RFC 1950) stream, as some peers send', async () => {
    const data = new TextEncoder().encode('zlib, not gzip '.repeat(50))
    const packed = await zlib(data)
    expect(packed[0]).toBe(0x78)
    expect(await gzipUnpack(packed)).toEqual(data)
  })

  it('caps the inflated size: a small bomb → GZIP_TOO_LARGE', async () => {
    const packed = await gzipPack(new Uint8Array(1 << 20))
    expect(packed.length).toBeLessThan(8192)
    expect(await asyncCodeOf(gzipUnpack(packed, 64 * 1024))).toBe('GZIP_TOO_LARGE')
    expect((await gzipUnpack(packed, 1 << 20)).length).toBe(1 << 20)
  })

  it('issue #18: 32 bombs at once share one budget: each is refused with a typed code, the budget is never passed and all of it comes back', async () => {
    const budget = new InflateBudget(8 << 20)
    const bomb = await gzipPack(new Uint8Array(16 << 20))
    const codes = await Promise.all(Array.from({ length: 32 }, () => asyncCodeOf(gzipUnpack(bomb, 4 << 20, budget))))
    for (const c of codes) expect(['GZIP_TOO_LARGE', 'GZIP_BUDGET']).toContain(c)
    expect(budget.peak).toBeLessThanOrEqual(8 << 20)
    expect(budget.peak).toBeGreaterThan(4 << 20)
    expect(budget.inUse).toBe(0)
  })

  it('issue #18: answers that fit the budget together are all delivered, and give it back', async () => {
    const budget = new InflateBudget(8 << 20)
    const data = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 31) ^ (i >> 9))
    const packed = await gzipPack(data)
    const out = await Promise.all([gzipUnpack(packed, 4 << 20, budget), gzipUnpack(packed, 4 << 20, budget)])
    // compared by hand: a deep equal over 3 MiB takes the test runner tens of seconds
    for (const o of out) expect(o.length === data.length && o.every((b, i) => b === data[i])).toBe(true)
    expect(budget.peak).toBeGreaterThan(3 << 20)
    expect(budget.inUse).toBe(0)
  })

  it(`the default cap is ${GZIP_MAX_BYTES_DEFAULT} bytes`, async () => {
    const packed = await gzipPack(new Uint8Array(GZIP_MAX_BYTES_DEFAULT + 1))
    expect(await asyncCodeOf(gzipUnpack(packed))).toBe('GZIP_TOO_LARGE')
  })

  it.each([
    { rule: 'no gzip or zlib header', bytes: async () => new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
    { rule: 'empty input', bytes: async () => new Uint8Array(0) },
    { rule: 'gzip header then garbage', bytes: async () => new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]) },
    {
      rule: 'truncated gzip stream',
      bytes: async () => (await gzipPack(rng(3).bytes(4000))).slice(0, 100),
    },
    {
      rule: 'corrupted CRC32 trailer',
      bytes: async () => {
        const p = await gzipPack(new TextEncoder().encode('hello'))
        p[p.length - 8] = (p[p.length - 8] ?? 0) ^ 0xff
        return p
      },
    },
  ])('$rule → GZIP_INVALID', async ({ bytes }) => {
    expect(await asyncCodeOf(gzipUnpack(await bytes()))).toBe('GZIP_INVALID')
  })
})
