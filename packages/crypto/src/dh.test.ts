import { describe, expect, it } from 'vitest'
import { bigIntToBytes, bytesToBigInt } from './bigint.ts'
import { checkDhParams, dhGenerate, dhGenerateAsync, dhShared } from './dh.ts'
import { KNOWN_DH_PRIME } from './dh-prime.ts'
import vectors from '../test/vectors/auth-key-dh.json'
import sample from '../test/vectors/auth-key-sample.json'
import { seededRandom } from '../test/seeded-random.ts'
import { codeOf } from '../test/code-of.ts'

const hex = (h: string): Uint8Array => bigIntToBytes(BigInt('0x' + h), h.length / 2)
const PRIME = bigIntToBytes(KNOWN_DH_PRIME, 256)
const GA = hex(vectors.g_a)
const MARGIN = 1n << 1984n

describe('checkDhParams (auth-key.md step 6, items 7–9)', () => {
  it.each([
    { rule: 'well-known prime, g = 3 (official sample)', g: 3, want: 'no error' },
    { rule: 'well-known prime, g = 4 (no condition)', g: 4, want: 'no error' },
    { rule: 'well-known prime, g = 7 (p mod 7 = 6)', g: 7, want: 'no error' },
    { rule: 'g = 2 needs p mod 8 = 7 (p mod 8 = 3)', g: 2, want: 'BAD_G' },
    { rule: 'g = 5 needs p mod 5 ∈ {1,4} (p mod 5 = 3)', g: 5, want: 'BAD_G' },
    { rule: 'g = 6 needs p mod 24 ∈ {19,23} (p mod 24 = 11)', g: 6, want: 'BAD_G' },
    { rule: 'g = 8 is not an allowed generator', g: 8, want: 'BAD_G' },
    { rule: 'g = 1 is not an allowed generator', g: 1, want: 'BAD_G' },
  ])('$rule', ({ g, want }) => expect(codeOf(() => checkDhParams({ dhPrime: PRIME, g, gA: GA }))).toBe(want))

  const p = KNOWN_DH_PRIME
  it.each([
    { rule: 'g_a = 2^1984 + 1 is the smallest allowed', gA: MARGIN + 1n, want: 'no error' },
    { rule: 'g_a = 2^1984 equals the lower bound (strict)', gA: MARGIN, want: 'G_A_OUT_OF_RANGE' },
    { rule: 'g_a = p − 2^1984 − 1 is the largest allowed', gA: p - MARGIN - 1n, want: 'no error' },
    { rule: 'g_a = p − 2^1984 equals the upper bound (strict)', gA: p - MARGIN, want: 'G_A_OUT_OF_RANGE' },
    { rule: 'g_a = 1', gA: 1n, want: 'G_A_OUT_OF_RANGE' },
    { rule: 'g_a = p − 1', gA: p - 1n, want: 'G_A_OUT_OF_RANGE' },
    { rule: 'g_a = p', gA: p, want: 'G_A_OUT_OF_RANGE' },
  ])('$rule', ({ gA, want }) =>
    expect(codeOf(() => checkDhParams({ dhPrime: PRIME, g: 3, gA: bigIntToBytes(gA, 256) }))).toBe(want))

  it.each([
    { rule: '2047-bit prime is too short', prime: KNOWN_DH_PRIME >> 1n },
    { rule: '2049-bit value is too long', prime: KNOWN_DH_PRIME << 1n },
    { rule: 'p + 4 (same residues for g = 4, not prime)', prime: KNOWN_DH_PRIME + 4n * 3n * 5n * 7n * 8n },
  ])('$rule → BAD_DH_PRIME', ({ prime }) => {
    const dhPrime = bigIntToBytes(prime)
    expect(codeOf(() => checkDhParams({ dhPrime, g: 4, gA: GA }, seededRandom(5)))).toBe('BAD_DH_PRIME')
  })

  it('an unknown prime that is prime but not safe → BAD_DH_PRIME', () => {
    const dhPrime = hex(vectors.prime_not_safe)
    const gA = bigIntToBytes(MARGIN + 12345n, 256)
    expect(codeOf(() => checkDhParams({ dhPrime, g: 4, gA }, seededRandom(11)))).toBe('BAD_DH_PRIME')
  })

  it('an unknown safe prime (RFC 3526 group 14) passes, then is served from the cache', () => {
    const dhPrime = hex(vectors.rfc3526_group14_prime)
    const gA = bigIntToBytes(MARGIN + 12345n, 256)
    let draws = 0
    const random = (n: number): Uint8Array => {
      draws++
      return seededRandom(draws)(n)
    }
    expect(codeOf(() => checkDhParams({ dhPrime, g: 2, gA }, random))).toBe('no error')
    expect(draws).toBeGreaterThanOrEqual(30)
    const before = draws
    expect(codeOf(() => checkDhParams({ dhPrime, g: 2, gA }, random))).toBe('no error')
    expect(draws).toBe(before)
  })

  it('the well-known prime needs no Miller–Rabin draws', () => {
    const random = (): Uint8Array => {
      throw new Error('must not draw')
    }
    expect(codeOf(() => checkDhParams({ dhPrime: PRIME, g: 3, gA: GA }, random))).toBe('no error')
  })
})

describe('dhGenerate / dhShared (official sample A7, A8)', () => {
  it('A7: g_b = 3^b mod p for the sample b', () => {
    const b = hex(vectors.b)
    const { b: drawn, gB } = dhGenerate(vectors.g, PRIME, () => b.slice())
    expect(drawn).toEqual(b)
    expect(gB).toEqual(hex(vectors.g_b))
  })

  it('A8: auth_key = g_a^b mod p, 256 bytes', () => {
    expect(dhShared(GA, hex(vectors.b), PRIME)).toEqual(hex(sample.authKey))
  })

  it('redraws b while g_b is out of range and wipes the rejected draw', () => {
    // b = 0 gives g_b = 1, out of range; the second draw is the sample b.
    const draws = [new Uint8Array(256), hex(vectors.b)]
    const handed: Uint8Array[] = []
    const { gB } = dhGenerate(3, PRIME, () => {
      const d = draws.shift() as Uint8Array
      handed.push(d)
      return d
    })
    expect(gB).toEqual(hex(vectors.g_b))
    expect(handed).toHaveLength(2)
  })

  it('wipes a rejected b that was not all zeros', () => {
    // g = 4 with b = (p − 1)/2 gives g_b = 1: the draw must come back zeroed.
    const bad = bigIntToBytes((KNOWN_DH_PRIME - 1n) / 2n, 256)
    const draws = [bad, hex(vectors.b)]
    dhGenerate(4, PRIME, () => draws.shift() as Uint8Array)
    expect(bad.every((x) => x === 0)).toBe(true)
  })

  it('pads a short shared secret to 256 bytes', () => {
    // g_a^1 = g_a, which has a leading zero byte (0x0a77…): still 256 bytes, same value.
    const one = bigIntToBytes(1n, 256)
    const key = dhShared(GA, one, PRIME)
    expect(key).toHaveLength(256)
    expect(bytesToBigInt(key)).toBe(bytesToBigInt(GA))
  })

  it('dhShared refuses a g_a outside the range; dhGenerate gives up on a broken random', () => {
    expect(codeOf(() => dhShared(bigIntToBytes(MARGIN, 256), hex(vectors.b), PRIME))).toBe('G_A_OUT_OF_RANGE')
    expect(codeOf(() => dhGenerate(3, PRIME, (n) => new Uint8Array(n)))).toBe('G_B_OUT_OF_RANGE')
  })

  it('dhGenerateAsync stopped by a failing pause rejects with that error and zeroes the b it drew', async () => {
    const drawn: Uint8Array[] = []
    const random = (n: number): Uint8Array => {
      const b = seededRandom(7)(n)
      drawn.push(b)
      return b
    }
    const stop = new Error('handshake wiped')
    let pauses = 0
    const yieldNow = async (): Promise<void> => {
      if (++pauses === 3) throw stop
    }
    await expect(dhGenerateAsync(3, PRIME, random, { sliceMs: 0, yieldNow })).rejects.toBe(stop)
    expect(pauses).toBe(3)
    expect(drawn).toHaveLength(1)
    expect(drawn[0]?.every((x) => x === 0)).toBe(true)
  })

  it('both sides agree on random exponents (seeded)', () => {
    const random = seededRandom(42)
    const a = dhGenerate(3, PRIME, random)
    const b = dhGenerate(3, PRIME, random)
    expect(dhShared(a.gB, b.b, PRIME)).toEqual(dhShared(b.gB, a.b, PRIME))
  })
})
