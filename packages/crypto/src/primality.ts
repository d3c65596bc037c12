import { bytesToBigInt } from './bigint.ts'
import { modPow } from './modpow.ts'

const SMALL_PRIMES: readonly number[] = (() => {
  const out: number[] = []
  for (let n = 2; out.length < 256; n++) if (out.every((p) => n % p !== 0)) out.push(n)
  return out
})()

/**
 * Base sets that make Miller–Rabin exact below a bound: the first 12 primes below
 * 3.3·10^24 (so for all n < 2^64), and {2, 7, 61} below 4,759,123,141 (Jaeschke), which
 * covers a handshake's p and q (31 bits each): 3 rounds instead of 12 for them.
 */
const DETERMINISTIC_BASES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]
const SMALL_BASES = [2n, 7n, 61n]
/** The least strong pseudoprime to all of SMALL_BASES: below it they decide. */
const SMALL_BASES_BOUND = 4_759_123_141n

/** Exact primality for 0 ≤ n < 2^64 (used on the handshake's pq, p and q). */
export function isPrime64(n: bigint): boolean {
  const small = trialDivision(n)
  if (small !== undefined) return small
  return (n < SMALL_BASES_BOUND ? SMALL_BASES : DETERMINISTIC_BASES).every((a) => millerRabinRound(n, a))
}

/**
 * Miller–Rabin with `rounds` bases drawn from `random`, after trial division. The
 * bases must be unpredictable to whoever chose n: a server can build composites
 * that pass any fixed base set.
 */
export function isProbablePrime(n: bigint, rounds: number, random: (n: number) => Uint8Array): boolean {
  const small = trialDivision(n)
  if (small !== undefined) return small
  const byteLength = Math.ceil(n.toString(16).length / 2) + 8
  for (let i = 0; i < rounds; i++) {
    // A few extra bytes make the bias of the reduction negligible.
    const a = 2n + (bytesToBigInt(random(byteLength)) % (n - 3n))
    if (!millerRabinRound(n, a)) return false
  }
  return true
}

/** true/false when trial division decides, undefined when n needs Miller–Rabin. */
function trialDivision(n: bigint): boolean | undefined {
  if (n < 2n) return false
  for (const p of SMALL_PRIMES) {
    const bp = BigInt(p)
    if (n === bp) return true
    if (n % bp === 0n) return false
  }
  return undefined
}

function millerRabinRound(n: bigint, a: bigint): boolean {
  const nMinus1 = n - 1n
  let d = nMinus1
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  let x = modPow(a % n, d, n)
  if (x === 1n || x === nMinus1) return true
  for (let r = 1; r < s; r++) {
    x = (x * x) % n
    if (x === nMinus1) return true
    if (x === 1n) return false
  }
  return false
}
