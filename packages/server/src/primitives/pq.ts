import { checkPrimeSync } from 'node:crypto'

export interface Pq {
  p: bigint
  q: bigint
  pq: bigint
}

/**
 * Two distinct primes of `bits` bits (31 by default, so pq < 2^62 fits the 8-byte pq of
 * auth-key.md step 1), p < q, found from `random` by searching upwards from a random odd
 * start: the same random stream gives the same pq, so a simulation seed replays it.
 */
export function generatePq(random: (n: number) => Uint8Array, bits = 31): Pq {
  for (;;) {
    const a = primeFrom(random, bits)
    const b = primeFrom(random, bits)
    if (a === b) continue
    const [p, q] = a < b ? [a, b] : [b, a]
    return { p, q, pq: p * q }
  }
}

function primeFrom(random: (n: number) => Uint8Array, bits: number): bigint {
  const top = 1n << BigInt(bits - 1)
  for (;;) {
    const r = random(8)
    let n = (new DataView(r.buffer, r.byteOffset, 8).getBigUint64(0, true) % top) | top | 1n
    for (; n < top << 1n; n += 2n) if (checkPrimeSync(n)) return n
  }
}
