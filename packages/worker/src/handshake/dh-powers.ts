/**
 * The stored form of a group's fixed-base powers (issue #17): dh_prime ‖ T[0..341], 256
 * bytes each, ‖ SHA-256 of both. Public data only (g, p and powers of g); a reload reads
 * it back so its first connect's g^b is cheap. Bytes of another length (another digit
 * width) or that fail the hash read as null: the connect then uses plain modPow. The hash
 * suffices because only this engine wrote them, for a group that passed checkDhParams,
 * and they are used only when a server offers that same group again.
 */
import { bigIntToBytes, bytesToBigInt, constantTimeEqual, FIXED_BASE_POWERS, sha256, sha256Sync, type FixedBasePowers } from '@pfs-web/crypto'

const N = 256
const BODY = N * (1 + FIXED_BASE_POWERS)

export function powersToBytes({ p, table }: FixedBasePowers): Uint8Array {
  const out = new Uint8Array(BODY + 32)
  ;[p, ...table].forEach((x, i) => out.set(bigIntToBytes(x, N), i * N))
  out.set(sha256Sync(out.subarray(0, BODY)), BODY)
  return out
}

/**
 * Checked with WebCrypto's digest, unlike powersToBytes: a reload does this on its way to
 * its first connect, and 86 KB hash ~4× faster natively than in the synchronous SHA-256
 * (~0.2 against ~0.9 ms in Node); the build runs in idle time, where it does not matter.
 */
export async function powersFromBytes(bytes: unknown): Promise<FixedBasePowers | null> {
  if (!(bytes instanceof Uint8Array) || bytes.length !== BODY + 32) return null
  if (!constantTimeEqual(await sha256(bytes.subarray(0, BODY)), bytes.subarray(BODY))) return null
  const [p, ...table] = Array.from({ length: FIXED_BASE_POWERS + 1 }, (_, i) => bytesToBigInt(bytes.subarray(i * N, i * N + N)))
  return { g: Number(table[0]), p: p as bigint, table }
}
