import { bigIntToBytes, bytesToBigInt } from './bigint.ts'
import { runCooperative, runSync, type CooperativeOptions, type Steps } from './cooperative.ts'
import { CryptoError } from './errors.ts'
import { isPrime64 } from './primality.ts'
import { isqrt, squfof } from './squfof.ts'

const MAX_PQ_BYTES = 8
// SQUFOF's multipliers: odd k below this. Measured on 4,000 seeded pq, each further k
// split about half of those still unsplit (none needed k > 25), so 50 of them leave a
// vanishing share; a hostile pq costs at most 50 bounded cycles (~0.2 s, with pauses).
const MAX_MULTIPLIER = 100

/**
 * Splits the handshake's pq (auth-key.md step 2) into primes p < q, each as minimal
 * big-endian bytes. Anything that is not a product of two distinct primes is refused
 * with PQ_NOT_FACTORABLE rather than answered with a guess the server would reject.
 */
export function factorizePq(pq: Uint8Array): { p: Uint8Array; q: Uint8Array } {
  return runSync(factorizeSteps(pq))
}

/** factorizePq yielding to the event loop between batches (see cooperative.ts); same result. */
export function factorizePqAsync(pq: Uint8Array, options?: CooperativeOptions): Promise<{ p: Uint8Array; q: Uint8Array }> {
  return runCooperative(factorizeSteps(pq), options)
}

function* factorizeSteps(pq: Uint8Array): Steps<{ p: Uint8Array; q: Uint8Array }> {
  if (pq.length === 0 || pq.length > MAX_PQ_BYTES) {
    throw new CryptoError('PQ_NOT_FACTORABLE', `pq must be 1..${MAX_PQ_BYTES} bytes, got ${pq.length}`)
  }
  const n = bytesToBigInt(pq)
  const factor = yield* findFactor(n)
  const other = n / factor
  const [p, q] = factor < other ? [factor, other] : [other, factor]
  if (p === q || !isPrime64(p) || !isPrime64(q)) throw notFactorable()
  return { p: bigIntToBytes(p), q: bigIntToBytes(q) }
}

/** A divisor 1 < d < n of a composite n < 2^64. */
function* findFactor(n: bigint): Steps<bigint> {
  if (n < 4n || isPrime64(n)) throw notFactorable()
  if ((n & 1n) === 0n) return 2n
  // SQUFOF needs a non-square n.
  const root = isqrt(n)
  if (root * root === n) return root
  for (let k = 1; k < MAX_MULTIPLIER; k += 2) {
    const d = yield* squfof(n, k)
    if (d !== undefined) return d
  }
  throw notFactorable()
}

const notFactorable = (): CryptoError => new CryptoError('PQ_NOT_FACTORABLE', 'pq is not a product of two distinct primes')
