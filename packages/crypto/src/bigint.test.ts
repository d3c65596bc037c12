import { describe, expect, it } from 'vitest'
import { bigIntToBytes, bitLength, bytesToBigInt } from './bigint.ts'
import { seededRandom } from '../test/seeded-random.ts'

describe('bytesToBigInt / bigIntToBytes', () => {
  it('reads big-endian', () => {
    expect(bytesToBigInt(Uint8Array.of(0x01, 0x02, 0x03))).toBe(0x010203n)
    expect(bytesToBigInt(Uint8Array.of(0, 0, 0xff))).toBe(255n)
    expect(bytesToBigInt(new Uint8Array(0))).toBe(0n)
  })

  it('reads every length 1..40 (a partial head, then whole 8-byte words) and a view into a larger buffer', () => {
    const random = seededRandom(11)
    for (let n = 1; n <= 40; n++) {
      const bytes = random(n)
      const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
      expect(bytesToBigInt(bytes)).toBe(BigInt('0x' + hex))
      const framed = new Uint8Array(n + 5)
      framed.set(bytes, 3)
      expect(bytesToBigInt(framed.subarray(3, 3 + n))).toBe(BigInt('0x' + hex))
    }
  })

  it('writes minimal bytes without length, 0 as one zero byte', () => {
    expect([...bigIntToBytes(0x5a300d4bn)]).toEqual([0x5a, 0x30, 0x0d, 0x4b])
    expect([...bigIntToBytes(0x100n)]).toEqual([1, 0])
    expect([...bigIntToBytes(0n)]).toEqual([0])
  })

  it('left-pads to a fixed length', () => {
    expect([...bigIntToBytes(0x0102n, 4)]).toEqual([0, 0, 1, 2])
  })

  it('refuses values that do not fit or are negative', () => {
    expect(() => bigIntToBytes(0x10000n, 2)).toThrow(expect.objectContaining({ code: 'BIGINT_TOO_LONG' }))
    expect(() => bigIntToBytes(-1n)).toThrow(expect.objectContaining({ code: 'NEGATIVE_BIGINT' }))
  })

  it('round-trips random 256-byte values', () => {
    const random = seededRandom(7)
    for (let i = 0; i < 20; i++) {
      const bytes = random(256)
      expect(bigIntToBytes(bytesToBigInt(bytes), 256)).toEqual(bytes)
    }
  })

  it('bitLength', () => {
    expect(bitLength(0n)).toBe(0)
    expect(bitLength(1n)).toBe(1)
    expect(bitLength(1n << 2047n)).toBe(2048)
  })
})
