import { describe, expect, it } from 'vitest'
import { runSync } from './cooperative.ts'
import { isqrt, squfof } from './squfof.ts'

const MULTIPLIERS = Array.from({ length: 50 }, (_, i) => 2 * i + 1)
const run = (n: bigint, k: number): bigint | undefined => runSync(squfof(n, k))

describe('squfof (Shanks, one multiplier at a time)', () => {
  // Which multipliers split these was found by running them all; the point of each row
  // is that the first multipliers meet only trivial square forms and a later one works.
  it.each([
    { rule: 'k = 1 fails, k = 3 splits', n: 1864954851341621617n, failing: [1], k: 3, factors: [1333468091n, 1398574787n] },
    { rule: 'k = 1, 3, 5 fail, k = 7 splits', n: 2476307569870100677n, failing: [1, 3, 5], k: 7, factors: [1400632369n, 1767992533n] },
    { rule: 'k = 1 … 9 fail, k = 11 splits', n: 2839007150850703069n, failing: [1, 3, 5, 7, 9], k: 11, factors: [1608813559n, 1764658891n] },
    { rule: 'k = 1 splits two primes just below 2^32 (pq near 2^64)', n: 4294967279n * 4294967291n, failing: [], k: 1, factors: [4294967279n, 4294967291n] },
  ])('$rule', ({ n, failing, k, factors }) => {
    for (const bad of failing) expect(run(n, bad)).toBeUndefined()
    expect(factors).toContain(run(n, k))
  })

  it('with the largest multiplier on a pq near 2^64 the doubles stay exact: a divisor or nothing, never a wrong one', () => {
    const n = 4294967279n * 4294967291n
    for (const k of MULTIPLIERS) {
      const d = run(n, k)
      if (d !== undefined) expect(n % d).toBe(0n)
    }
    expect(MULTIPLIERS.map((k) => run(n, k)).filter((d) => d !== undefined).length).toBeGreaterThan(4)
  })

  it.each([
    { rule: 'kn a square (3 · 75 = 15²): no cycle to run', n: 75n, k: 3 },
    { rule: 'n a square of a prime: only trivial forms', n: 4294967291n ** 2n, k: 1 },
    { rule: 'n a square of a prime, k = 3: its square forms give only n', n: 4294967291n ** 2n, k: 3 },
  ])('gives up on $rule', ({ n, k }) => expect(run(n, k)).toBeUndefined())

  it('pauses between chunks of its cycle', () => {
    const steps = squfof(2839007150850703069n, 11)
    let pauses = 0
    while (!steps.next().done) pauses++
    expect(pauses).toBeGreaterThan(3)
  })
})

describe('isqrt', () => {
  it.each([0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, (1n << 64n) - 1n, 1n << 64n, 1155n * ((1n << 64n) - 1n), (4294967291n * 1155n) ** 2n - 1n])(
    'floor(sqrt(%s))',
    (x) => {
      const r = isqrt(x)
      expect(r * r <= x && (r + 1n) * (r + 1n) > x).toBe(true)
    },
  )
})
