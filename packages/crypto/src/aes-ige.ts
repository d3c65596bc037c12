/**
 * AES-256-IGE (encryption.md §3). Encryption runs on WebCrypto through one AES-CBC call
 * (see README, "The CBC trick"); decryption, and small encryptions, run on the
 * WebAssembly core (aes-wasm.ts).
 */
import { igeDecryptInto, igeEncryptInto } from './aes-wasm.ts'
import { preparedKey } from './aes-key-cache.ts'
import { bufferSource, copyOf, expectBlocks, expectBytes, scratchWords, wordsOf } from './bytes.ts'

/**
 * Below this size the WebAssembly core beats a WebCrypto round trip
 * (bench/results/crypto.json rows `ige-encrypt-path`: a subtle.encrypt call costs
 * several µs regardless of size).
 */
export const IGE_WEBCRYPTO_MIN_BYTES = 8192

function checkArgs(key: Uint8Array, iv: Uint8Array, data: Uint8Array): void {
  expectBytes('key', key, 32, 'BAD_KEY_LENGTH')
  expectBytes('iv', iv, 32, 'BAD_IV_LENGTH')
  expectBlocks('data', data)
}

function ivWords(iv: Uint8Array): Int32Array {
  return new Int32Array(copyOf(iv).buffer)
}

/** IGE encryption with round keys `rk` (from expandEncKey); returns a new buffer. */
export function igeEncryptWith(rk: Int32Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length)
  igeEncryptInto(rk, iv, data, out)
  return out
}

/** IGE decryption with decryption round keys `dk` (from expandDecKey); returns a new buffer. */
export function igeDecryptWith(dk: Int32Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length)
  igeDecryptInto(dk, iv, data, out)
  return out
}

/** X_1 = P_1, X_2 = P_2 ^ P_0 (v[4..8]), X_i = P_i ^ P_{i-2}, into `x` (p.length words). */
export function cbcTrickPrePass(p: Int32Array, v: Int32Array, x: Int32Array): void {
  const n = p.length
  x[0] = p[0] as number
  x[1] = p[1] as number
  x[2] = p[2] as number
  x[3] = p[3] as number
  if (n > 4) {
    x[4] = (p[4] as number) ^ (v[4] as number)
    x[5] = (p[5] as number) ^ (v[5] as number)
    x[6] = (p[6] as number) ^ (v[6] as number)
    x[7] = (p[7] as number) ^ (v[7] as number)
    // a block per iteration: V8 runs this about 1.8× faster than one word per iteration
    for (let j = 8; j < n; j += 4) {
      x[j] = (p[j] as number) ^ (p[j - 8] as number)
      x[j + 1] = (p[j + 1] as number) ^ (p[j - 7] as number)
      x[j + 2] = (p[j + 2] as number) ^ (p[j - 6] as number)
      x[j + 3] = (p[j + 3] as number) ^ (p[j - 5] as number)
    }
  }
}

/** C_1 = Z_1 ^ P_0, C_i = Z_i ^ P_{i-1}, into `o` (p.length words; may be `z`, not `p`). */
export function cbcTrickPostPass(z: Int32Array, p: Int32Array, v: Int32Array, o: Int32Array): void {
  const n = p.length
  o[0] = (z[0] as number) ^ (v[4] as number)
  o[1] = (z[1] as number) ^ (v[5] as number)
  o[2] = (z[2] as number) ^ (v[6] as number)
  o[3] = (z[3] as number) ^ (v[7] as number)
  for (let j = 4; j < n; j += 4) {
    o[j] = (z[j] as number) ^ (p[j - 4] as number)
    o[j + 1] = (z[j + 1] as number) ^ (p[j - 3] as number)
    o[j + 2] = (z[j + 2] as number) ^ (p[j - 2] as number)
    o[j + 3] = (z[j + 3] as number) ^ (p[j - 1] as number)
  }
}

/**
 * IGE encryption through one AES-CBC call. With C_0 = iv1 and P_0 = iv2, CBC fed
 * X_1 = P_1, X_2 = P_2^P_0, X_i = P_i^P_{i-2} yields Z_i = E(P_i^C_{i-1}) = C_i^P_{i-1}:
 * induction on Z_i = E(X_i^Z_{i-1}) with Z_{i-1} = C_{i-1}^P_{i-2}.
 * With `out` (data.length / 4 words) the ciphertext is written there instead of a new buffer.
 */
export async function igeEncryptWebCrypto(cryptoKey: CryptoKey, iv: Uint8Array, data: Uint8Array, out?: Int32Array): Promise<Uint8Array> {
  const n = data.length >> 2
  if (n === 0) return new Uint8Array(0)
  const p = wordsOf(data)
  const v = ivWords(iv)
  const x = scratchWords(data.length)
  cbcTrickPrePass(p, v, x)
  let pending: Promise<ArrayBuffer>
  try {
    // subtle.encrypt copies x before returning, so the scratch can be wiped right away
    pending = globalThis.crypto.subtle.encrypt({ name: 'AES-CBC', iv: bufferSource(iv.subarray(0, 16)) }, cryptoKey, x)
  } finally {
    x.fill(0)
  }
  const z = new Int32Array(await pending)
  const o = out ?? z
  cbcTrickPostPass(z, p, v, o)
  v.fill(0)
  // the trailing PKCS#7 block stays in z's buffer but outside the view; it is not secret
  return out === undefined ? new Uint8Array(z.buffer, 0, data.length) : new Uint8Array(out.buffer, out.byteOffset, data.length)
}

/** AES-256-IGE encrypt. key: 32 bytes; iv: 32 bytes (iv1 ‖ iv2); data: a multiple of 16. */
export async function aesIgeEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  checkArgs(key, iv, data)
  const k = preparedKey(key)
  if (data.length < IGE_WEBCRYPTO_MIN_BYTES) return igeEncryptWith(k.enc, iv, data)
  return igeEncryptWebCrypto(await k.cryptoKey(), iv, data)
}

/** AES-256-IGE decrypt (WebAssembly or JS core: WebCrypto cannot chain IGE decryption). */
export async function aesIgeDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  return aesIgeDecryptSync(key, iv, data)
}

export function aesIgeEncryptSync(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  checkArgs(key, iv, data)
  return igeEncryptWith(preparedKey(key).enc, iv, data)
}

export function aesIgeDecryptSync(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  checkArgs(key, iv, data)
  return igeDecryptWith(preparedKey(key).dec, iv, data)
}
