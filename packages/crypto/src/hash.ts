/** Asynchronous digests on WebCrypto: faster than the JS ones from about 1 KiB up. */
import { bufferSource, expectUint8Array } from './bytes.ts'
import { CryptoError } from './errors.ts'

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  expectUint8Array('data', data)
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bufferSource(data)))
}

export async function sha1(data: Uint8Array): Promise<Uint8Array> {
  expectUint8Array('data', data)
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', bufferSource(data)))
}

const RANDOM_CHUNK = 65536

/** `n` cryptographically random bytes (getRandomValues refuses more than 64 KiB per call). */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new CryptoError('BAD_LENGTH', 'n: expected a non-negative integer')
  const out = new Uint8Array(n)
  for (let off = 0; off < n; off += RANDOM_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(n, off + RANDOM_CHUNK)))
  }
  return out
}
