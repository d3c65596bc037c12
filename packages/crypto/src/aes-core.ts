/**
 * The JS AES core for IGE: T-tables in 32-bit words, no allocation per block. It builds
 * the tables and key schedules that the WebAssembly core (aes-wasm.ts) also uses, is that
 * core's readable reference in tests, and runs IGE itself where WebAssembly cannot.
 *
 * Words are little-endian views of the byte stream (every platform we target is LE), so
 * the tables and round keys are stored byte-swapped and a block loads with four plain
 * Int32Array reads instead of byte assembly. Table lookups depend on secret data: this is
 * not constant-time (see README, Security).
 */
import { CryptoError } from './errors.ts'


if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new CryptoError('UNSUPPORTED_PLATFORM', 'aes-core: a little-endian platform is required')
}

const SBOX = new Uint8Array(256)
const INV_SBOX = new Uint8Array(256)
const TE0 = new Int32Array(256)
const TE1 = new Int32Array(256)
const TE2 = new Int32Array(256)
const TE3 = new Int32Array(256)
const TD0 = new Int32Array(256)
const TD1 = new Int32Array(256)
const TD2 = new Int32Array(256)
const TD3 = new Int32Array(256)
// The four tables back to back, then the round keys of the current call (RK): one base
// register serves every lookup of a round, which keeps the state words out of memory.
const RK = 1024
const TE = new Int32Array(RK + 64)
const TD = new Int32Array(RK + 64)

function bswap(x: number): number {
  return ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24)) | 0
}

function gmul(a: number, b: number): number {
  let r = 0
  for (; b > 0; b >>= 1) {
    if (b & 1) r ^= a
    a = a & 0x80 ? ((a << 1) ^ 0x11b) & 0xff : a << 1
  }
  return r
}

function buildTables(): void {
  // log/antilog tables over generator 3 give every inverse without a 64k search
  const exp = new Uint8Array(255)
  const log = new Uint8Array(256)
  for (let i = 0, x = 1; i < 255; i++) {
    exp[i] = x
    log[x] = i
    x = gmul(x, 3)
  }
  for (let x = 0; x < 256; x++) {
    const inv = x === 0 ? 0 : (exp[(255 - (log[x] as number)) % 255] as number)
    let s = inv
    for (let k = 1; k <= 4; k++) s ^= ((inv << k) | (inv >>> (8 - k))) & 0xff
    s ^= 0x63
    SBOX[x] = s
    INV_SBOX[s] = x
  }
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x] as number
    const te = (gmul(s, 2) << 24) | (s << 16) | (s << 8) | gmul(s, 3)
    const i = INV_SBOX[x] as number
    const td = (gmul(i, 14) << 24) | (gmul(i, 9) << 16) | (gmul(i, 13) << 8) | gmul(i, 11)
    for (const [t, v] of [[TE0, te], [TD0, td]] as const) {
      t[x] = bswap(v)
    }
    TE1[x] = bswap((te >>> 8) | (te << 24))
    TE2[x] = bswap((te >>> 16) | (te << 16))
    TE3[x] = bswap((te >>> 24) | (te << 8))
    TD1[x] = bswap((td >>> 8) | (td << 24))
    TD2[x] = bswap((td >>> 16) | (td << 16))
    TD3[x] = bswap((td >>> 24) | (td << 8))
  }
}
buildTables()
TE.set(TE0, 0)
TE.set(TE1, 256)
TE.set(TE2, 512)
TE.set(TE3, 768)
TD.set(TD0, 0)
TD.set(TD1, 256)
TD.set(TD2, 512)
TD.set(TD3, 768)

/** The four tables of each direction and the S-boxes, for the WebAssembly core (aes-wasm.ts). */
export const TABLES_ENC = TE.subarray(0, RK)
export const TABLES_DEC = TD.subarray(0, RK)
export const SBOX_BYTES = SBOX
export const INV_SBOX_BYTES = INV_SBOX

function subWord(w: number): number {
  return (
    ((SBOX[w >>> 24] as number) << 24) |
    ((SBOX[(w >>> 16) & 255] as number) << 16) |
    ((SBOX[(w >>> 8) & 255] as number) << 8) |
    (SBOX[w & 255] as number)
  )
}

/**
 * Encryption round keys (LE words). The public API takes 32-byte keys only; 16-byte keys
 * are accepted here so the OpenSSL IGE vectors (AES-128) can exercise this very core.
 */
export function expandEncKey(key: Uint8Array): Int32Array {
  return expandEncKeyInto(key, new Int32Array(4 * ((key.length >> 2) + 7)))
}

/** expandEncKey into `w` (60 words for AES-256), for callers that reuse a scratch schedule. */
export function expandEncKeyInto(key: Uint8Array, w: Int32Array): Int32Array {
  const nk = key.length >> 2
  const total = 4 * (nk + 7)
  for (let i = 0; i < nk; i++) {
    w[i] =
      ((key[4 * i] as number) << 24) |
      ((key[4 * i + 1] as number) << 16) |
      ((key[4 * i + 2] as number) << 8) |
      (key[4 * i + 3] as number)
  }
  let rcon = 1
  for (let i = nk; i < total; i++) {
    let t = w[i - 1] as number
    if (i % nk === 0) {
      t = subWord((t << 8) | (t >>> 24)) ^ (rcon << 24)
      rcon = gmul(rcon, 2)
    } else if (nk > 6 && i % nk === 4) {
      t = subWord(t)
    }
    w[i] = (w[i - nk] as number) ^ t
  }
  for (let i = 0; i < total; i++) w[i] = bswap(w[i] as number)
  return w
}

/** Decryption round keys for the equivalent inverse cipher, from the encryption keys. */
export function expandDecKey(enc: Int32Array): Int32Array {
  return expandDecKeyInto(enc, new Int32Array(enc.length))
}

export function expandDecKeyInto(enc: Int32Array, d: Int32Array): Int32Array {
  const rounds = (enc.length >> 2) - 1
  for (let r = 0; r <= rounds; r++) {
    for (let j = 0; j < 4; j++) {
      const w = enc[4 * (rounds - r) + j] as number
      d[4 * r + j] =
        r === 0 || r === rounds
          ? w
          : (TD0[SBOX[w & 255] as number] as number) ^
            (TD1[SBOX[(w >>> 8) & 255] as number] as number) ^
            (TD2[SBOX[(w >>> 16) & 255] as number] as number) ^
            (TD3[SBOX[w >>> 24] as number] as number)
    }
  }
  return d
}

/**
 * IGE encryption from `src` into `dst` (LE words, length a multiple of 4; they may be the
 * same array). `iv` holds 8 words: c_0 then m_0. c_i = E(m_i ^ c_{i-1}) ^ m_{i-1}.
 */
export function igeEncryptWordsJs(src: Int32Array, dst: Int32Array, rk: Int32Array, iv: Int32Array): void {
  const T = TE, S = SBOX
  let c0 = iv[0] as number, c1 = iv[1] as number, c2 = iv[2] as number, c3 = iv[3] as number
  let m0 = iv[4] as number, m1 = iv[5] as number, m2 = iv[6] as number, m3 = iv[7] as number
  const n = src.length
  T.set(rk, RK)
  const rounds = (rk.length >> 2) - 1
  for (let off = 0; off < n; off += 4) {
    const p0 = src[off] as number, p1 = src[off + 1] as number, p2 = src[off + 2] as number, p3 = src[off + 3] as number
    let s0 = p0 ^ c0 ^ (T[RK + 0] as number)
    let s1 = p1 ^ c1 ^ (T[RK + 1] as number)
    let s2 = p2 ^ c2 ^ (T[RK + 2] as number)
    let s3 = p3 ^ c3 ^ (T[RK + 3] as number)
    let k = RK + 4
    for (let r = 1; r < rounds; r++, k += 4) {
      const t0 = (T[s0 & 255] as number) ^ (T[256 | (s1 >>> 8) & 255] as number) ^ (T[512 | (s2 >>> 16) & 255] as number) ^ (T[768 | s3 >>> 24] as number) ^ (T[k] as number)
      const t1 = (T[s1 & 255] as number) ^ (T[256 | (s2 >>> 8) & 255] as number) ^ (T[512 | (s3 >>> 16) & 255] as number) ^ (T[768 | s0 >>> 24] as number) ^ (T[k + 1] as number)
      const t2 = (T[s2 & 255] as number) ^ (T[256 | (s3 >>> 8) & 255] as number) ^ (T[512 | (s0 >>> 16) & 255] as number) ^ (T[768 | s1 >>> 24] as number) ^ (T[k + 2] as number)
      s3 = (T[s3 & 255] as number) ^ (T[256 | (s0 >>> 8) & 255] as number) ^ (T[512 | (s1 >>> 16) & 255] as number) ^ (T[768 | s2 >>> 24] as number) ^ (T[k + 3] as number)
      s0 = t0
      s1 = t1
      s2 = t2
    }
    c0 = ((S[s0 & 255] as number) | ((S[(s1 >>> 8) & 255] as number) << 8) | ((S[(s2 >>> 16) & 255] as number) << 16) | ((S[s3 >>> 24] as number) << 24)) ^ (T[k] as number) ^ m0
    c1 = ((S[s1 & 255] as number) | ((S[(s2 >>> 8) & 255] as number) << 8) | ((S[(s3 >>> 16) & 255] as number) << 16) | ((S[s0 >>> 24] as number) << 24)) ^ (T[k + 1] as number) ^ m1
    c2 = ((S[s2 & 255] as number) | ((S[(s3 >>> 8) & 255] as number) << 8) | ((S[(s0 >>> 16) & 255] as number) << 16) | ((S[s1 >>> 24] as number) << 24)) ^ (T[k + 2] as number) ^ m2
    c3 = ((S[s3 & 255] as number) | ((S[(s0 >>> 8) & 255] as number) << 8) | ((S[(s1 >>> 16) & 255] as number) << 16) | ((S[s2 >>> 24] as number) << 24)) ^ (T[k + 3] as number) ^ m3
    dst[off] = c0
    dst[off + 1] = c1
    dst[off + 2] = c2
    dst[off + 3] = c3
    m0 = p0
    m1 = p1
    m2 = p2
    m3 = p3
  }
  T.fill(0, RK)
}

/** IGE decryption from `src` into `dst`: m_i = D(c_i ^ m_{i-1}) ^ c_{i-1}; `dk` from expandDecKey. */
export function igeDecryptWordsJs(src: Int32Array, dst: Int32Array, dk: Int32Array, iv: Int32Array): void {
  const T = TD, S = INV_SBOX
  let c0 = iv[0] as number, c1 = iv[1] as number, c2 = iv[2] as number, c3 = iv[3] as number
  let m0 = iv[4] as number, m1 = iv[5] as number, m2 = iv[6] as number, m3 = iv[7] as number
  const n = src.length
  T.set(dk, RK)
  const rounds = (dk.length >> 2) - 1
  for (let off = 0; off < n; off += 4) {
    const x0 = src[off] as number, x1 = src[off + 1] as number, x2 = src[off + 2] as number, x3 = src[off + 3] as number
    let s0 = x0 ^ m0 ^ (T[RK + 0] as number)
    let s1 = x1 ^ m1 ^ (T[RK + 1] as number)
    let s2 = x2 ^ m2 ^ (T[RK + 2] as number)
    let s3 = x3 ^ m3 ^ (T[RK + 3] as number)
    let k = RK + 4
    for (let r = 1; r < rounds; r++, k += 4) {
      const t0 = (T[s0 & 255] as number) ^ (T[256 | (s3 >>> 8) & 255] as number) ^ (T[512 | (s2 >>> 16) & 255] as number) ^ (T[768 | s1 >>> 24] as number) ^ (T[k] as number)
      const t1 = (T[s1 & 255] as number) ^ (T[256 | (s0 >>> 8) & 255] as number) ^ (T[512 | (s3 >>> 16) & 255] as number) ^ (T[768 | s2 >>> 24] as number) ^ (T[k + 1] as number)
      const t2 = (T[s2 & 255] as number) ^ (T[256 | (s1 >>> 8) & 255] as number) ^ (T[512 | (s0 >>> 16) & 255] as number) ^ (T[768 | s3 >>> 24] as number) ^ (T[k + 2] as number)
      s3 = (T[s3 & 255] as number) ^ (T[256 | (s2 >>> 8) & 255] as number) ^ (T[512 | (s1 >>> 16) & 255] as number) ^ (T[768 | s0 >>> 24] as number) ^ (T[k + 3] as number)
      s0 = t0
      s1 = t1
      s2 = t2
    }
    m0 = ((S[s0 & 255] as number) | ((S[(s3 >>> 8) & 255] as number) << 8) | ((S[(s2 >>> 16) & 255] as number) << 16) | ((S[s1 >>> 24] as number) << 24)) ^ (T[k] as number) ^ c0
    m1 = ((S[s1 & 255] as number) | ((S[(s0 >>> 8) & 255] as number) << 8) | ((S[(s3 >>> 16) & 255] as number) << 16) | ((S[s2 >>> 24] as number) << 24)) ^ (T[k + 1] as number) ^ c1
    m2 = ((S[s2 & 255] as number) | ((S[(s1 >>> 8) & 255] as number) << 8) | ((S[(s0 >>> 16) & 255] as number) << 16) | ((S[s3 >>> 24] as number) << 24)) ^ (T[k + 2] as number) ^ c2
    m3 = ((S[s3 & 255] as number) | ((S[(s2 >>> 8) & 255] as number) << 8) | ((S[(s1 >>> 16) & 255] as number) << 16) | ((S[s0 >>> 24] as number) << 24)) ^ (T[k + 3] as number) ^ c3
    dst[off] = m0
    dst[off + 1] = m1
    dst[off + 2] = m2
    dst[off + 3] = m3
    c0 = x0
    c1 = x1
    c2 = x2
    c3 = x3
  }
  T.fill(0, RK)
}
