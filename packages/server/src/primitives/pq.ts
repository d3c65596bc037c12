import { generatePrimeSync } from 'node:crypto'

export interface Pq {
  p: bigint
  q: bigint
  pq: bigint
}

/** Two distinct 31-bit primes, p < q, so pq < 2^62 fits the 8-byte pq of auth-key.md step 1. */
export function generatePq(): Pq {
  for (;;) {
    const a = generatePrimeSync(31, { bigint: true })
    const b = generatePrimeSync(31, { bigint: true })
    if (a === b) continue
    const [p, q] = a < b ? [a, b] : [b, a]
    return { p, q, pq: p * q }
  }
}
