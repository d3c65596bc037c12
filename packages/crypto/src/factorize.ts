import { bigIntToBytes, bytesToBigInt } from './bigint.ts'
import { runCooperative, runSync, type CooperativeOptions, type Steps } from './cooperative.ts'
import { CryptoError } from './errors.ts'
import { isPrime64 } from './primality.ts'

const MAX_PQ_BYTES = 8
// Brent's cycle search with a fresh constant when one collapses to n; a real pq
// (two ~31-bit primes) needs one attempt, this only bounds hostile input.
const MAX_ATTEMPTS = 32
const BATCH = 256

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
  if (p === q || !isPrime64(p) || !isPrime64(q)) {
    throw new CryptoError('PQ_NOT_FACTORABLE', 'pq is not a product of two distinct primes')
  }
  return { p: bigIntToBytes(p), q: bigIntToBytes(q) }
}

function* findFactor(n: bigint): Steps<bigint> {
  if (n < 4n || isPrime64(n)) throw new CryptoError('PQ_NOT_FACTORABLE', 'pq is prime or too small')
  if ((n & 1n) === 0n) return 2n
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const g = yield* brent(n, BigInt(attempt + 1), 2n)
    if (g !== n) return g
  }
  throw new CryptoError('PQ_NOT_FACTORABLE', 'Pollard–Brent found no factor')
}

/** One Pollard–Brent run with f(y) = y² + c mod n; returns a divisor > 1 (maybe n). */
function* brent(n: bigint, c: bigint, y0: bigint): Steps<bigint> {
  let y = y0
  let x = y0
  let ys = y0
  let q = 1n
  let g = 1n
  for (let r = 1; g === 1n; r *= 2) {
    x = y
    for (let i = 0; i < r; i++) {
      y = (y * y + c) % n
      if ((i & (BATCH - 1)) === BATCH - 1) yield
    }
    for (let k = 0; k < r && g === 1n; k += BATCH) {
      ys = y
      const steps = Math.min(BATCH, r - k)
      // |x − y| as x − y + n keeps the product positive without a branch.
      for (let i = 0; i < steps; i++) {
        y = (y * y + c) % n
        q = (q * (x - y + n)) % n
      }
      g = gcd(q, n)
      yield
    }
  }
  if (g !== n) return g
  // The batch overshot: replay it one step at a time.
  do {
    ys = (ys * ys + c) % n
    g = gcd(x - ys + n, n)
  } while (g === 1n)
  return g
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}
