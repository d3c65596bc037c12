import { bigIntToBytes, bitLength, bytesToBigInt } from './bigint.ts'
import { wipe } from './bytes.ts'
import { SecurityError } from './errors.ts'
import { runCooperative, runSync, type CooperativeOptions, type ModPow, type Steps } from './cooperative.ts'
import { modPowSteps } from './modpow.ts'
import { fixedBasePowSteps, type FixedBasePowers } from './fixed-base.ts'
import { randomBytes } from './hash.ts'
import { sha256Sync } from './sha-sync.ts'
import { isProbablePrime } from './primality.ts'

export interface DhParams {
  dhPrime: Uint8Array
  g: number
  gA: Uint8Array
}

const DH_BITS = 2048
const DH_BYTES = DH_BITS / 8
// auth-key.md step 6.9: both bounds are strict (TDLib dh_check, mtcute).
const RANGE_MARGIN = 1n << BigInt(DH_BITS - 64)
// security_guidelines allow 15 Miller–Rabin rounds; each number is tested separately.
const MR_ROUNDS = 15
const MAX_DRAWS = 64

/**
 * SHA-256 of the well-known prime's 256 bytes (dh-prime.ts): equal bytes skip the
 * primality tests. A hash rather than the prime itself keeps 512 hex digits out of the
 * worker bundle (issue #14's budget); SHA-256's collision resistance makes the two
 * checks equivalent.
 */
const KNOWN_DH_PRIME_SHA256 = 0x02f85e7687fc6f33ba678226a963b3c8a191b47c890cf30debe17c1d623b5af1n

// Primes that passed the full safe-prime test; a server sends the same one every time.
const verifiedPrimes = new Set<bigint>()
const VERIFIED_CACHE_SIZE = 8

/**
 * Every client check on server_DH_inner_data's (dh_prime, g, g_a), auth-key.md step 6
 * items 7–9. Throws SecurityError 'BAD_DH_PRIME', 'BAD_G' or 'G_A_OUT_OF_RANGE'; the
 * caller must then restart the handshake on a new connection.
 *
 * `random` draws the Miller–Rabin bases for a prime that is neither the well-known one
 * nor already verified; it defaults to the platform CSPRNG because the bases must be
 * secret from the server that chose the prime.
 */
export function checkDhParams(params: DhParams, random: (n: number) => Uint8Array = randomBytes): void {
  const p = bytesToBigInt(params.dhPrime)
  if (bitLength(p) !== DH_BITS) throw new SecurityError('BAD_DH_PRIME', `dh_prime must be ${DH_BITS} bits`)
  // With g in 2..7 and p of 2048 bits, this also gives 1 < g < p − 1.
  checkG(params.g, p)
  if (!isInDhRange(bytesToBigInt(params.gA), p)) {
    throw new SecurityError('G_A_OUT_OF_RANGE', 'g_a must satisfy 2^1984 < g_a < p − 2^1984')
  }
  // Cheap checks first: the safe-prime test costs ~30 modexps and runs last.
  if (!isSafePrime(p, random)) throw new SecurityError('BAD_DH_PRIME', 'dh_prime is not a safe prime')
}

/**
 * Draws the client exponent b (2048 random bits) and g_b = g^b mod p, redrawing b until
 * g_b is in the open range of step 7. The caller owns `b` and must wipe it after
 * dhShared; rejected draws are wiped here. Intermediate BigInt copies of b cannot be
 * wiped (JS BigInts are immutable); they live until collected.
 */
export function dhGenerate(
  g: number,
  dhPrime: Uint8Array,
  random: (n: number) => Uint8Array,
): { b: Uint8Array; gB: Uint8Array } {
  return runSync(dhGenerateSteps(g, dhPrime, random))
}

/**
 * dhGenerate yielding to the event loop between slices (see cooperative.ts); same result.
 * `powers` of this group's g make g^b ~5× cheaper (fixed-base.ts), unless the host's
 * modPow is given: it is the faster one where it exists.
 */
export function dhGenerateAsync(
  g: number,
  dhPrime: Uint8Array,
  random: (n: number) => Uint8Array,
  options?: CooperativeOptions & { powers?: FixedBasePowers | undefined },
): Promise<{ b: Uint8Array; gB: Uint8Array }> {
  return runCooperative(dhGenerateSteps(g, dhPrime, random, options?.modPow, options?.powers), options)
}

/** auth_key = g_a^b mod p as exactly 256 big-endian bytes (auth-key.md step 7). */
export function dhShared(gA: Uint8Array, b: Uint8Array, dhPrime: Uint8Array): Uint8Array {
  return runSync(dhSharedSteps(gA, b, dhPrime))
}

/** dhShared yielding to the event loop between slices (see cooperative.ts); same result. */
export function dhSharedAsync(gA: Uint8Array, b: Uint8Array, dhPrime: Uint8Array, options?: CooperativeOptions): Promise<Uint8Array> {
  return runCooperative(dhSharedSteps(gA, b, dhPrime, options?.modPow), options)
}

function* dhGenerateSteps(
  g: number,
  dhPrime: Uint8Array,
  random: (n: number) => Uint8Array,
  hostModPow?: ModPow,
  powers?: FixedBasePowers,
): Steps<{ b: Uint8Array; gB: Uint8Array }> {
  const p = bytesToBigInt(dhPrime)
  const fixed = powers?.g === g && powers.p === p ? powers : undefined
  for (let i = 0; i < MAX_DRAWS; i++) {
    const b = random(DH_BYTES)
    let kept = false
    // finally: a rejected draw, and a b whose maths was stopped mid-way (runCooperative)
    try {
      const e = bytesToBigInt(b)
      const gB = hostModPow ? hostModPow(BigInt(g), e, p) : fixed ? yield* fixedBasePowSteps(fixed, e) : yield* modPowSteps(BigInt(g), e, p)
      kept = isInDhRange(gB, p)
      if (kept) return { b, gB: bigIntToBytes(gB, DH_BYTES) }
    } finally {
      if (!kept) wipe(b)
    }
  }
  throw new SecurityError('G_B_OUT_OF_RANGE', `no g_b in range after ${MAX_DRAWS} draws`)
}

function* dhSharedSteps(gA: Uint8Array, b: Uint8Array, dhPrime: Uint8Array, hostModPow?: ModPow): Steps<Uint8Array> {
  const p = bytesToBigInt(dhPrime)
  const ga = bytesToBigInt(gA)
  if (!isInDhRange(ga, p)) throw new SecurityError('G_A_OUT_OF_RANGE', 'g_a out of range')
  const shared = hostModPow ? hostModPow(ga, bytesToBigInt(b), p) : yield* modPowSteps(ga, bytesToBigInt(b), p)
  return bigIntToBytes(shared, DH_BYTES)
}

/** 2^(2048−64) < x < p − 2^(2048−64), which also implies 1 < x < p − 1. */
export function isInDhRange(x: bigint, p: bigint): boolean {
  return x > RANGE_MARGIN && x < p - RANGE_MARGIN
}

/**
 * Step 6.8: g must generate the subgroup of prime order (p−1)/2, i.e. be a quadratic
 * residue mod p; by quadratic reciprocity that reduces to these residues of p.
 */
const G_RULES: Record<number, [modulus: bigint, residues: bigint[]]> = {
  2: [8n, [7n]],
  3: [3n, [2n]],
  4: [1n, [0n]],
  5: [5n, [1n, 4n]],
  6: [24n, [19n, 23n]],
  7: [7n, [3n, 5n, 6n]],
}

function checkG(g: number, p: bigint): void {
  const rule = G_RULES[g]
  if (!rule) throw new SecurityError('BAD_G', `g = ${g} is not one of 2..7`)
  if (!rule[1].includes(p % rule[0])) throw new SecurityError('BAD_G', `g = ${g} does not suit this dh_prime`)
}

function isSafePrime(p: bigint, random: (n: number) => Uint8Array): boolean {
  if (verifiedPrimes.has(p) || bytesToBigInt(sha256Sync(bigIntToBytes(p, DH_BYTES))) === KNOWN_DH_PRIME_SHA256) return true
  const ok = isProbablePrime((p - 1n) / 2n, MR_ROUNDS, random) && isProbablePrime(p, MR_ROUNDS, random)
  if (ok) {
    if (verifiedPrimes.size >= VERIFIED_CACHE_SIZE) verifiedPrimes.clear()
    verifiedPrimes.add(p)
  }
  return ok
}
