/**
 * AES-256-IGE (encryption.md §3). Encryption runs on WebCrypto through one AES-CBC call
 * (see README, "The CBC trick"); decryption, and small encryptions, run on the JS core.
 */
import { igeDecryptWords, igeEncryptWords } from './aes-core.ts'
import { preparedKey } from './aes-key-cache.ts'
import { bufferSource, copyOf, expectBlocks, expectBytes, scratchWords, wordsOf } from './bytes.ts'

/**
 * Below this size the JS core beats a WebCrypto round trip (bench/results/crypto.json:
 * a subtle.encrypt call costs several µs regardless of size).
 */
export const IGE_WEBCRYPTO_MIN_BYTES = 4096

function checkArgs(key: Uint8Array, iv: Uint8Array, data: Uint8Array): void {
  expectBytes('key', key, 32, 'BAD_KEY_LENGTH')
  expectBytes('iv', iv, 32, 'BAD_IV_LENGTH')
  expectBlocks('data', data)
}

function ivWords(iv: Uint8Array): Int32Array {
  return new Int32Array(copyOf(iv).buffer)
}

function igeJs(core: typeof igeEncryptWords, roundKeys: Int32Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length)
  const v = ivWords(iv)
  core(wordsOf(data), new Int32Array(out.buffer), roundKeys, v)
  v.fill(0)
  return out
}

/** IGE encryption with JS round keys `rk` (from expandEncKey); returns a new buffer. */
export function igeEncryptJs(rk: Int32Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return igeJs(igeEncryptWords, rk, iv, data)
}

/** IGE decryption with JS decryption round keys `dk` (from expandDecKey). */
export function igeDecryptJs(dk: Int32Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return igeJs(igeDecryptWords, dk, iv, data)
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
  x[0] = p[0] as number
  x[1] = p[1] as number
  x[2] = p[2] as number
  x[3] = p[3] as number
  if (n > 4) {
    x[4] = (p[4] as number) ^ (v[4] as number)
    x[5] = (p[5] as number) ^ (v[5] as number)
    x[6] = (p[6] as number) ^ (v[6] as number)
    x[7] = (p[7] as number) ^ (v[7] as number)
    for (let j = 8; j < n; j++) x[j] = (p[j] as number) ^ (p[j - 8] as number)
  }
  let pending: Promise<ArrayBuffer>
  try {
    // subtle.encrypt copies x before returning, so the scratch can be wiped right away
    pending = globalThis.crypto.subtle.encrypt({ name: 'AES-CBC', iv: bufferSource(iv.subarray(0, 16)) }, cryptoKey, x)
  } finally {
    x.fill(0)
  }
  const z = new Int32Array(await pending)
  const o = out ?? z
  o[0] = (z[0] as number) ^ (v[4] as number)
  o[1] = (z[1] as number) ^ (v[5] as number)
  o[2] = (z[2] as number) ^ (v[6] as number)
  o[3] = (z[3] as number) ^ (v[7] as number)
  for (let j = 4; j < n; j++) o[j] = (z[j] as number) ^ (p[j - 4] as number)
  v.fill(0)
  // the trailing PKCS#7 block stays in z's buffer but outside the view; it is not secret
  return out === undefined ? new Uint8Array(z.buffer, 0, data.length) : new Uint8Array(out.buffer, out.byteOffset, data.length)
}

/** AES-256-IGE encrypt. key: 32 bytes; iv: 32 bytes (iv1 ‖ iv2); data: a multiple of 16. */
export async function aesIgeEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  checkArgs(key, iv, data)
  const k = preparedKey(key)
  if (data.length < IGE_WEBCRYPTO_MIN_BYTES) return igeEncryptJs(k.enc, iv, data)
  return igeEncryptWebCrypto(await k.cryptoKey(), iv, data)
}

/** AES-256-IGE decrypt (JS core: WebCrypto cannot chain IGE decryption). */
export async function aesIgeDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  return aesIgeDecryptSync(key, iv, data)
}

export function aesIgeEncryptSync(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  checkArgs(key, iv, data)
  return igeEncryptJs(preparedKey(key).enc, iv, data)
}

export function aesIgeDecryptSync(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  checkArgs(key, iv, data)
  return igeDecryptJs(preparedKey(key).dec, iv, data)
}
