import { createDiffieHellman, type DiffieHellman } from 'node:crypto'
import { bigFromBytes, bigToBytes, modPow } from './bytes.ts'

/** The well-known 2048-bit safe prime (auth-key.md); g = 3 is valid for it (p mod 3 = 2). */
export const DH_PRIME = bigFromBytes(
  Buffer.from(
    'c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c3720fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f642477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b',
    'hex',
  ),
)
export const DH_G = 3

const SAFETY = 1n << (2048n - 64n)

/** 1 < v < p−1 and 2^(2048−64) < v < p − 2^(2048−64), both strict (auth-key.md step 6.9). */
export function dhValueInRange(v: bigint, prime: bigint = DH_PRIME): boolean {
  return v > 1n && v < prime - 1n && v > SAFETY && v < prime - SAFETY
}

export interface DhSecret {
  exponent: bigint
  publicValue: bigint
}

let wellKnown: DiffieHellman | null = null

/**
 * x^e mod p through OpenSSL for the well-known group (5x faster than BigInt), BigInt for any
 * other prime. One DiffieHellman object is built once (its constructor runs a slow DH_check)
 * and re-keyed per call; every use is synchronous, so calls never interleave. The exponent
 * is reduced mod p−1, which leaves g^e unchanged (Fermat).
 */
function powMod(base: bigint | 'g', exponent: bigint, g: number, prime: bigint): bigint {
  if (prime !== DH_PRIME || g !== DH_G) return modPow(base === 'g' ? BigInt(g) : base, exponent, prime)
  wellKnown ??= createDiffieHellman(bigToBytes(DH_PRIME), Buffer.of(DH_G))
  wellKnown.setPrivateKey(bigToBytes(exponent % (prime - 1n)))
  return bigFromBytes(base === 'g' ? wellKnown.generateKeys() : wellKnown.computeSecret(bigToBytes(base)))
}

/**
 * Draws an exponent of `exponentBytes` random bytes (2048 bits by default) until g^a lands
 * in the safe range. The simulation draws 256-bit ones, the usual short-exponent practice
 * for a safe-prime group, to spend its CPU on the protocol rather than on modexps.
 */
export function dhGenerate(random: (n: number) => Uint8Array, g: number = DH_G, prime: bigint = DH_PRIME, exponentBytes = 256): DhSecret {
  for (;;) {
    const exponent = bigFromBytes(random(exponentBytes))
    const publicValue = powMod('g', exponent, g, prime)
    if (dhValueInRange(publicValue, prime)) return { exponent, publicValue }
  }
}

/** auth_key = peer^a mod p, exactly 256 big-endian bytes (leading zeros kept); peer is range-checked first. */
export function dhSharedKey(peer: bigint, exponent: bigint, prime: bigint = DH_PRIME, g: number = DH_G): Buffer {
  return bigToBytes(powMod(peer, exponent, g, prime), 256)
}
