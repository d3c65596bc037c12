import { BigInteger } from 'jsbn'
import { describe, expect, it } from 'vitest'
import { bytesToBigInt } from './bigint.ts'
import { modPow } from './modpow.ts'
import { seededRandom } from '../test/seeded-random.ts'

function jsbnModPow(base: bigint, exp: bigint, mod: bigint): bigint {
  const r = new BigInteger(base.toString(16), 16).modPow(new BigInteger(exp.toString(16), 16), new BigInteger(mod.toString(16), 16))
  return BigInt('0x' + r.toString(16))
}

describe('modPow (BigInt sliding window) against jsbn', () => {
  it.each([
    { bytes: 8, cases: 40 },
    { bytes: 32, cases: 30 },
    { bytes: 128, cases: 10 },
    { bytes: 256, cases: 6 },
  ])('$bytes-byte operands, $cases seeded cases', ({ bytes, cases }) => {
    const random = seededRandom(bytes)
    for (let i = 0; i < cases; i++) {
      const mod = bytesToBigInt(random(bytes)) | 1n | (1n << BigInt(bytes * 8 - 1))
      const base = bytesToBigInt(random(bytes + 3)) // larger than mod: reduction path
      // Full-size exponents exercise the 5-bit window; short ones the small-window paths.
      const exp = bytesToBigInt(random(i % 2 === 0 ? bytes : 1 + i))
      expect(modPow(base, exp, mod)).toBe(jsbnModPow(base, exp, mod))
    }
  })

  it('even moduli agree too (jsbn switches reducer there)', () => {
    const random = seededRandom(99)
    for (let i = 0; i < 10; i++) {
      const mod = bytesToBigInt(random(64)) & ~1n
      const base = bytesToBigInt(random(64))
      const exp = bytesToBigInt(random(64))
      expect(modPow(base, exp, mod)).toBe(jsbnModPow(base, exp, mod))
    }
  })

  it.each([
    { rule: 'exp 0 → 1', base: 5n, exp: 0n, mod: 7n, want: 1n },
    { rule: 'mod 1 → 0', base: 5n, exp: 3n, mod: 1n, want: 0n },
    { rule: 'base 0', base: 0n, exp: 3n, mod: 7n, want: 0n },
    { rule: 'negative base is reduced', base: -2n, exp: 3n, mod: 7n, want: 6n },
    { rule: 'Fermat', base: 3n, exp: 1000002n, mod: 1000003n, want: 1n },
  ])('$rule', ({ base, exp, mod, want }) => expect(modPow(base, exp, mod)).toBe(want))

  it('rejects a non-positive modulus and a negative exponent', () => {
    expect(() => modPow(2n, 3n, 0n)).toThrow(expect.objectContaining({ code: 'BAD_MODULUS' }))
    expect(() => modPow(2n, -1n, 7n)).toThrow(expect.objectContaining({ code: 'NEGATIVE_EXPONENT' }))
  })
})
