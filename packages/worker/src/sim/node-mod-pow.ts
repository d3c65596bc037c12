/**
 * EngineEnv.modPow on OpenSSL for Node hosts (the simulation runs ~10^4 handshakes a CI
 * run; our BigInt modPow, ~10 ms a 2048-bit exponent, is what a browser uses and is
 * tested against vectors in @pfs-web/crypto). One DiffieHellman object per (modulus,
 * generator) — its constructor runs a slow DH_check — re-keyed per call; every use is
 * synchronous, so calls never interleave.
 */
import { createDiffieHellman, type DiffieHellman } from 'node:crypto'
import { bigIntToBytes, bytesToBigInt, modPow, type ModPow } from '@pfs-web/crypto'

const groups = new Map<string, DiffieHellman>()

/** The group for `modulus` with `generator`, or any group of that modulus when null. */
function group(modulus: bigint, generator: bigint | null): DiffieHellman {
  const prefix = `${modulus.toString(16)}:`
  if (generator === null) {
    for (const [id, dh] of groups) if (id.startsWith(prefix)) return dh
  }
  const g = generator ?? 3n
  const id = prefix + g.toString(16)
  let dh = groups.get(id)
  if (dh === undefined) {
    dh = createDiffieHellman(Buffer.from(bigIntToBytes(modulus)), Buffer.from(bigIntToBytes(g)))
    groups.set(id, dh)
  }
  return dh
}

export const nodeModPow: ModPow = (base, exponent, modulus) => {
  const e = exponent % (modulus - 1n)
  // base^0 and tiny moduli are outside DH's domain; the handshake never asks for them
  if (e === 0n || modulus < 1n << 64n) return e === 0n ? 1n % modulus : modPow(base, e, modulus)
  const b = base % modulus
  // The exponent is reduced mod p−1 (Fermat: the result is unchanged for a prime p).
  if (b < 256n) {
    const dh = group(modulus, b)
    dh.setPrivateKey(Buffer.from(bigIntToBytes(e)))
    return bytesToBigInt(dh.generateKeys())
  }
  // computeSecret does not use the group's generator: any group of this modulus serves
  const dh = group(modulus, null)
  dh.setPrivateKey(Buffer.from(bigIntToBytes(e)))
  return bytesToBigInt(dh.computeSecret(Buffer.from(bigIntToBytes(b))))
}
