import { describe, expect, it } from 'vitest'
import { isPrime64, isProbablePrime } from './primality.ts'
import { KNOWN_DH_PRIME } from './dh-prime.ts'
import { seededRandom } from '../test/seeded-random.ts'

describe('isPrime64 (deterministic Miller–Rabin below 2^64)', () => {
  it.each([
    { n: 2n, want: true },
    { n: 1n, want: false },
    { n: 1513098571n, want: true },
    { n: 2694724800268887959n, want: false },
    // Strong pseudoprime to bases 2..37 would need > 3.3e24; these fool small base sets.
    { n: 3215031751n, want: false }, // spsp(2,3,5,7)
    { n: 3825123056546413051n, want: false }, // spsp(2..23)
    { n: 18446744073709551557n, want: true }, // largest 64-bit prime
    // below 4,759,123,141 three bases decide (a handshake's p and q); this composite passes
    // exactly those three, so it must get all twelve
    { n: 4759123141n, want: false }, // spsp(2, 7, 61)
    { n: 4294967291n, want: true }, // largest prime below 2^32
    { n: 2152302898747n, want: false }, // spsp(2, 3, 5, 7, 11)
  ])('$n → $want', ({ n, want }) => expect(isPrime64(n)).toBe(want))

  it('agrees with trial division on random 32-bit numbers (the three-base range)', () => {
    const random = seededRandom(3)
    const byTrial = (n: number): boolean => {
      if (n < 2) return false
      for (let d = 2; d * d <= n; d++) if (n % d === 0) return false
      return true
    }
    for (let i = 0; i < 3000; i++) {
      const n = new DataView(random(4).buffer).getUint32(0) | 1
      expect(isPrime64(BigInt(n >>> 0))).toBe(byTrial(n >>> 0))
    }
  })
})

describe('isProbablePrime (random bases)', () => {
  it('accepts the well-known DH prime and its Sophie Germain half', () => {
    const random = seededRandom(1)
    expect(isProbablePrime(KNOWN_DH_PRIME, 4, random)).toBe(true)
    expect(isProbablePrime((KNOWN_DH_PRIME - 1n) / 2n, 4, random)).toBe(true)
  })

  it('rejects p + 2 and a product of two large primes', () => {
    const random = seededRandom(2)
    expect(isProbablePrime(KNOWN_DH_PRIME + 2n, 4, random)).toBe(false)
    expect(isProbablePrime(18446744073709551557n * 1513098571n, 4, random)).toBe(false)
  })
})
