import { describe, expect, it } from 'vitest'
import { FrameDecoder, MAX_FRAME, encodeFrame, trimPadding } from './framing.ts'

function seeded(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0
      out[i] = s >>> 24
    }
    return out
  }
}

function encryptedPacket(blocks: number, fill: number): Uint8Array {
  const p = new Uint8Array(24 + 16 * blocks).fill(fill)
  p[0] = 1 // non-zero auth_key_id
  return p
}

function le32(v: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setInt32(0, v, true)
  return b
}

describe('padded intermediate framing (transports.md §1)', () => {
  it('frames = LE total, payload, 0–15 random bytes; the decoder trims them off', () => {
    const random = seeded(1)
    const dec = new FrameDecoder()
    for (let i = 0; i < 40; i++) {
      const p = encryptedPacket(1 + (i % 5), i)
      const frame = encodeFrame(p, random)
      const total = new DataView(frame.buffer).getUint32(0, true)
      expect(total).toBe(frame.length - 4)
      expect(total - p.length).toBeLessThan(16)
      expect(dec.push(frame)).toEqual([{ kind: 'packet', payload: p }])
    }
  })

  it('accepts split and coalesced data (§4: message boundaries mean nothing)', () => {
    const random = seeded(2)
    const packets = [encryptedPacket(1, 1), encryptedPacket(3, 2), encryptedPacket(2, 3)]
    const stream = new Uint8Array(packets.map((p) => encodeFrame(p, random)).reduce<number[]>((a, f) => [...a, ...f], []))
    for (const cut of [1, 3, 7, 13, stream.length]) {
      const dec = new FrameDecoder()
      const got = []
      for (let i = 0; i < stream.length; i += cut) got.push(...dec.push(stream.subarray(i, i + cut)))
      expect(got.map((e) => (e.kind === 'packet' ? e.payload : null))).toEqual(packets)
    }
  })

  it('§2: a 4-byte -404 payload is a transport error', () => {
    const dec = new FrameDecoder()
    expect(dec.push(new Uint8Array([4, 0, 0, 0, 0x6c, 0xfe, 0xff, 0xff]))).toEqual([{ kind: 'transport-error', code: -404 }])
  })

  it('§2: a short payload with padding still reads as a transport error', () => {
    const dec = new FrameDecoder()
    const frame = new Uint8Array([...le32(9), ...le32(-429), 1, 2, 3, 4, 5])
    expect(dec.push(frame)).toEqual([{ kind: 'transport-error', code: -429 }])
  })

  it('§1: both quick-ack forms are recognised', () => {
    const dec = new FrameDecoder()
    const bare = le32(0x80001234 | 0)
    const framed = new Uint8Array([...le32(10), ...le32(-1), ...le32(0x80005678 | 0), 9, 9])
    expect(dec.push(new Uint8Array([...bare, ...framed]))).toEqual([
      { kind: 'quick-ack', token: 0x80001234 },
      { kind: 'quick-ack', token: 0x80005678 },
    ])
  })

  it('a zero short payload is a no-op', () => {
    expect(new FrameDecoder().push(new Uint8Array([...le32(4), ...le32(0)]))).toEqual([])
  })

  it('rejects an absurd frame length with a typed error', () => {
    expect(() => new FrameDecoder().push(le32(0x7fffffff))).toThrow(expect.objectContaining({ code: 'BAD_FRAME' }))
  })

  it.each([
    { rule: 'a 16 MiB length word is corruption, not a frame to wait for', len: 16 * 1024 * 1024, code: 'BAD_FRAME' },
    { rule: 'one byte over the 2 MiB cap → BAD_FRAME', len: MAX_FRAME + 1, code: 'BAD_FRAME' },
    { rule: 'a 1 MiB file part + headers fits: the decoder waits for the rest', len: 1024 * 1024 + 1024, code: null },
  ])('$rule', ({ len, code }) => {
    const push = (): unknown => new FrameDecoder().push(le32(len))
    if (code === null) expect(push()).toEqual([])
    else expect(push).toThrow(expect.objectContaining({ code }))
  })

  it('unencrypted packets are trimmed by their body length', () => {
    const body = new Uint8Array([...new Uint8Array(16), ...le32(8), 1, 2, 3, 4, 5, 6, 7, 8, 0xee, 0xee])
    expect(trimPadding(body)).toHaveLength(28)
    const lying = new Uint8Array([...new Uint8Array(16), ...le32(100), 1, 2, 3, 4])
    expect(() => trimPadding(lying)).toThrow(expect.objectContaining({ code: 'BAD_FRAME' }))
  })

  it('refuses payloads that are not a multiple of 4', () => {
    expect(() => encodeFrame(new Uint8Array(5), seeded(3))).toThrow(expect.objectContaining({ code: 'BAD_PAYLOAD' }))
  })
})
