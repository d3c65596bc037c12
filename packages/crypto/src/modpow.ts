import { runCooperative, runSync, type CooperativeOptions, type Steps } from './cooperative.ts'
import { CryptoError } from './errors.ts'

/**
 * base^exp mod mod on native BigInt with a sliding window over the exponent bits.
 * V8's BigInt multiply/remainder is several times faster than jsbn's limbs for
 * 2048-bit operands; the window (5 bits for DH-sized exponents) cuts the multiplies
 * from ~1024 to ~350. Not constant time: the exponent's bit pattern drives the
 * sequence of operations (see README, Security).
 */
export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  return runSync(modPowSteps(base, exp, mod))
}

/**
 * modPow that yields to the event loop about every `sliceMs` (between windows), so a
 * 2048-bit modexp (~5–12 ms) never holds the thread that serves calls. Same result.
 */
export function modPowAsync(base: bigint, exp: bigint, mod: bigint, options?: CooperativeOptions): Promise<bigint> {
  return runCooperative(modPowSteps(base, exp, mod), options)
}

/** The sliding-window modexp, pausing after each window (≤ k + 1 multiplies). */
export function* modPowSteps(base: bigint, exp: bigint, mod: bigint): Steps<bigint> {
  if (mod <= 0n) throw new CryptoError('BAD_MODULUS', 'modPow: mod must be > 0')
  if (exp < 0n) throw new CryptoError('NEGATIVE_EXPONENT', 'modPow: exp must be >= 0')
  if (mod === 1n) return 0n
  let b = base % mod
  if (b < 0n) b += mod
  if (exp === 0n) return 1n

  const bits = exp.toString(2)
  const k = windowBits(bits.length)
  // Odd powers b^1, b^3, …, b^(2^k − 1).
  const table: bigint[] = [b]
  if (k > 1) {
    const b2 = (b * b) % mod
    for (let i = 1; i < 1 << (k - 1); i++) table.push(((table[i - 1] as bigint) * b2) % mod)
  }

  let r = 1n
  let i = 0
  while (i < bits.length) {
    if (bits[i] === '0') {
      r = (r * r) % mod
      i++
      if ((i & 7) === 0) yield
      continue
    }
    let j = Math.min(i + k, bits.length) - 1
    while (bits[j] === '0') j--
    const w = parseInt(bits.slice(i, j + 1), 2)
    if (r !== 1n) for (let s = i; s <= j; s++) r = (r * r) % mod
    r = (r * (table[(w - 1) >> 1] as bigint)) % mod
    i = j + 1
    yield
  }
  return r
}

function windowBits(expBits: number): number {
  if (expBits > 768) return 5
  if (expBits > 256) return 4
  if (expBits > 64) return 3
  return 1
}
