import { describe, expect, it } from 'vitest'
import { bigIntToBytes, bytesToBigInt } from './bigint.ts'
import { factorizePq } from './factorize.ts'
import { isPrime64 } from './primality.ts'
import { seededRandom } from '../test/seeded-random.ts'

const pqOf = (n: bigint): Uint8Array => bigIntToBytes(n)

function randomPrime31(random: (n: number) => Uint8Array): bigint {
  let p = (bytesToBigInt(random(4)) & 0x3fffffffn) | 0x40000001n
  while (!isPrime64(p)) p += 2n
  return p
}

describe('factorizePq', () => {
  it.each([
    {
      rule: 'test-vectors A3: 2694724800268887959 = 1513098571 × 1780931429',
      pq: 2694724800268887959n,
      p: 1513098571n,
      q: 1780931429n,
    },
    {
      rule: 'test-vectors B: 0x17ED48941A08F981 = 0x494C553B × 0x53911073',
      pq: 0x17ed48941a08f981n,
      p: 0x494c553bn,
      q: 0x53911073n,
    },
  ])('$rule', ({ pq, p, q }) => {
    const out = factorizePq(pqOf(pq))
    expect(bytesToBigInt(out.p)).toBe(p)
    expect(bytesToBigInt(out.q)).toBe(q)
  })

  it('writes p and q as minimal big-endian bytes', () => {
    const out = factorizePq(pqOf(2694724800268887959n))
    expect([...out.p]).toEqual([0x5a, 0x30, 0x0d, 0x4b])
    expect([...out.q]).toEqual([0x6a, 0x26, 0xdb, 0x65])
  })

  // Its speed is `pnpm bench:modpow`'s to report: a test asserts no wall-clock time (issue #11).
  it('splits 50 seeded semiprimes of two ~31-bit primes', () => {
    const random = seededRandom(2024)
    for (let i = 0; i < 50; i++) {
      const a = randomPrime31(random)
      let b = randomPrime31(random)
      if (b === a) b = randomPrime31(random)
      const out = factorizePq(pqOf(a * b))
      expect([bytesToBigInt(out.p), bytesToBigInt(out.q)]).toEqual(a < b ? [a, b] : [b, a])
    }
  })

  // SQUFOF's doubles hold the largest pq and any split; small factors still come out.
  it.each([
    { rule: 'two primes just below 2^32', p: 4294967279n, q: 4294967291n },
    { rule: 'an even pq', p: 2n, q: 4294967291n },
    { rule: 'a factor of 3 (a multiplier)', p: 3n, q: 4294967291n },
    { rule: 'a factor of 11 (a multiplier) and a 60-bit prime', p: 11n, q: 1152921504606846883n },
    { rule: 'unbalanced: 17-bit × 47-bit', p: 65537n, q: 140737488355213n },
    { rule: 'the first five multipliers fail', p: 1608813559n, q: 1764658891n },
  ])('splits $rule', ({ p, q }) => {
    const out = factorizePq(pqOf(p * q))
    expect([bytesToBigInt(out.p), bytesToBigInt(out.q)]).toEqual([p, q])
  })

  it.each([
    { rule: 'prime pq', pq: pqOf(1780931429n) },
    { rule: 'the largest 64-bit prime', pq: pqOf((1n << 64n) - 59n) },
    { rule: 'square of a prime near 2^32', pq: pqOf(4294967291n * 4294967291n) },
    { rule: 'cube of a prime', pq: pqOf(2097143n ** 3n) },
    { rule: 'p² · q', pq: pqOf(2097143n ** 2n * 2097169n) },
    { rule: 'three ~21-bit primes', pq: pqOf(2097143n * 2097169n * 2097211n) },
    { rule: '8 bytes of 0xff', pq: new Uint8Array(8).fill(0xff) },
    { rule: 'square of a prime', pq: pqOf(1780931429n * 1780931429n) },
    { rule: 'three prime factors', pq: pqOf(1009n * 1013n * 1019n) },
    { rule: 'one', pq: pqOf(1n) },
    { rule: 'empty', pq: new Uint8Array(0) },
    { rule: 'longer than 8 bytes', pq: new Uint8Array(9).fill(0xff) },
  ])('refuses $rule with PQ_NOT_FACTORABLE', ({ pq }) => {
    expect(() => factorizePq(pq)).toThrow(expect.objectContaining({ code: 'PQ_NOT_FACTORABLE' }))
  })
})
