/**
 * The fuzz server's RSA key, the same on every run and machine so a seed replays exactly
 * (a random key changes how often RSA_PAD retries, and with it the engine's random draws).
 * Primes come from a fixed Prng stream through node:crypto's checkPrimeSync.
 */
import { checkPrimeSync, createPrivateKey, createPublicKey } from 'node:crypto'
import { nodeMtproto, type nodeMtproto as Kit } from '@pfs-web/server'
import { Prng } from '../prng.ts'

const E = 65537n

export interface FuzzRsaKey extends Kit.ServerRsaKey {}

let cached: FuzzRsaKey | null = null

export function fuzzRsaKey(): FuzzRsaKey {
  cached ??= makeKey()
  return cached
}

function makeKey(): FuzzRsaKey {
  const rng = Prng.of(0x5eed, 'fuzz-rsa')
  for (;;) {
    const p = prime(rng)
    const q = prime(rng)
    const n = p * q
    const phi = (p - 1n) * (q - 1n)
    if (p === q || n >> 2047n !== 1n || gcd(E, phi) !== 1n) continue
    const d = modInverse(E, phi)
    const b64 = (v: bigint): string => Buffer.from(nodeMtproto.bigToBytes(v)).toString('base64url')
    const jwk = { kty: 'RSA', n: b64(n), e: b64(E), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(modInverse(q, p)) }
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' })
    return {
      privateKey,
      publicPem: createPublicKey(privateKey).export({ type: 'pkcs1', format: 'pem' }).toString(),
      modulus: n,
      fingerprint: nodeMtproto.rsaFingerprint(nodeMtproto.bigToBytes(n), nodeMtproto.bigToBytes(E)),
    }
  }
}

/** A 1024-bit prime with its two top bits set (so p·q has exactly 2048 bits). */
function prime(rng: Prng): bigint {
  for (;;) {
    const c = nodeMtproto.bigFromBytes(rng.bytes(128)) | (3n << 1022n) | 1n
    if (checkPrimeSync(c, { checks: 32 })) return c
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  return ((s0 % m) + m) % m
}
