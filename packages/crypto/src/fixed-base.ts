/**
 * g^e mod p from stored powers of g (issue #17): a stored-key connect's g^b is one of its
 * two 2048-bit modexps, and with T[i] = g^(2^(6i)) the exponent's 6-bit digits need only
 * ~340 + 2·63 multiplies (Yao's fixed-base method) instead of ~2,050 squarings plus ~350
 * multiplies, about 5× less. g and p are public, so the powers are public data and may be
 * stored; the exponent never is. Not constant time, like modPow (README, Security).
 */
import type { Steps } from './cooperative.ts'

/** Digit width (63n below is 2^6 − 1): 6 bits measured fastest of 4..8 for 2048-bit exponents. */
const K = 6
/** Powers kept: enough digits for any exponent below 2^2052. */
export const FIXED_BASE_POWERS = Math.ceil(2048 / K)

/** The powers of one group's g: table[i] = g^(2^(6i)) mod p. */
export interface FixedBasePowers {
  g: number
  p: bigint
  table: bigint[]
}

/** Builds the powers by squaring, pausing after each one (6 squarings): about one modexp in all. */
export function* fixedBasePowersSteps(g: number, p: bigint): Steps<FixedBasePowers> {
  let t = BigInt(g)
  const table = [t]
  while (table.length < FIXED_BASE_POWERS) {
    for (let s = 0; s < K; s++) t = (t * t) % p
    table.push(t)
    yield
  }
  return { g, p, table }
}

/** g^e mod p for 0 ≤ e < 2^2052, pausing after each digit value (a few multiplies). */
export function* fixedBasePowSteps(powers: FixedBasePowers, e: bigint): Steps<bigint> {
  const { p, table } = powers
  // byDigit[w]: the powers whose digit of e is w
  const byDigit: bigint[][] = Array.from({ length: 1 << K }, () => [])
  table.forEach((t, i) => byDigit[Number((e >> BigInt(K * i)) & 63n)]?.push(t))
  // ∏ T[i]^d[i] = ∏_{w ≥ 1} B_w, where B_w is the product of the T[i] with d[i] ≥ w
  let a = 1n
  let b = 1n
  for (let w = (1 << K) - 1; w > 0; w--) {
    for (const t of byDigit[w] ?? []) b = (b * t) % p
    a = (a * b) % p
    yield
  }
  return a
}
