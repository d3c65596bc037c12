/**
 * Synchronous SHA-1 and SHA-256. A WebCrypto digest costs a few µs per call whatever the
 * size, while MTProto hashes many tiny inputs (KDF: 52 bytes; msg_key of a small message),
 * so these win below ~2 KiB. SHA-256 runs on the WebAssembly module built from
 * sha256-wasm-build.ts where it compiles, else on the JS compression below. Checked
 * against WebCrypto and each other in sha-sync.test.ts.
 */

import { buildSha256Wasm } from './sha256-wasm-build.ts'
import { SHA_DATA, SHA_STATE } from './sha256-wasm-layout.ts'
import { lazyWasm } from './wasm-instance.ts'

type Compress = (h: Int32Array, b: Uint8Array, off: number) => void

const W = new Int32Array(80)

function primes(count: number): number[] {
  const out: number[] = []
  for (let n = 2; out.length < count; n++) if (out.every((p) => n % p !== 0)) out.push(n)
  return out
}

function frac32(x: number): number {
  return ((x - Math.floor(x)) * 0x100000000) | 0
}

// FIPS 180-4 §4.2.2 / §5.3.3: fractional parts of cube / square roots of the first primes
const K256 = Int32Array.from(primes(64), (p) => frac32(Math.cbrt(p)))
const H256 = Int32Array.from(primes(8), (p) => frac32(Math.sqrt(p)))
const H1 = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0)

function loadBe(b: Uint8Array, off: number, n: number): void {
  for (let i = 0; i < n; i++, off += 4) {
    W[i] = ((b[off] as number) << 24) | ((b[off + 1] as number) << 16) | ((b[off + 2] as number) << 8) | (b[off + 3] as number)
  }
}

function compress256(h: Int32Array, b: Uint8Array, off: number): void {
  loadBe(b, off, 16)
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15] as number
    const y = W[i - 2] as number
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0
  }
  let a = h[0] as number, b1 = h[1] as number, c = h[2] as number, d = h[3] as number
  let e = h[4] as number, f = h[5] as number, g = h[6] as number, hh = h[7] as number
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + (K256[i] as number) + (W[i] as number)) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (S0 + ((a & b1) ^ (a & c) ^ (b1 & c))) | 0
    hh = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b1
    b1 = a
    a = (t1 + t2) | 0
  }
  h[0] = ((h[0] as number) + a) | 0
  h[1] = ((h[1] as number) + b1) | 0
  h[2] = ((h[2] as number) + c) | 0
  h[3] = ((h[3] as number) + d) | 0
  h[4] = ((h[4] as number) + e) | 0
  h[5] = ((h[5] as number) + f) | 0
  h[6] = ((h[6] as number) + g) | 0
  h[7] = ((h[7] as number) + hh) | 0
}

function compress1(h: Int32Array, b: Uint8Array, off: number): void {
  loadBe(b, off, 16)
  for (let i = 16; i < 80; i++) {
    const x = (W[i - 3] as number) ^ (W[i - 8] as number) ^ (W[i - 14] as number) ^ (W[i - 16] as number)
    W[i] = (x << 1) | (x >>> 31)
  }
  let a = h[0] as number, b1 = h[1] as number, c = h[2] as number, d = h[3] as number, e = h[4] as number
  for (let i = 0; i < 80; i++) {
    let f: number
    let k: number
    if (i < 20) {
      f = (b1 & c) | (~b1 & d)
      k = 0x5a827999
    } else if (i < 40) {
      f = b1 ^ c ^ d
      k = 0x6ed9eba1
    } else if (i < 60) {
      f = (b1 & c) | (b1 & d) | (c & d)
      k = 0x8f1bbcdc | 0
    } else {
      f = b1 ^ c ^ d
      k = 0xca62c1d6 | 0
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + (W[i] as number)) | 0
    e = d
    d = c
    c = (b1 << 30) | (b1 >>> 2)
    b1 = a
    a = t
  }
  h[0] = ((h[0] as number) + a) | 0
  h[1] = ((h[1] as number) + b1) | 0
  h[2] = ((h[2] as number) + c) | 0
  h[3] = ((h[3] as number) + d) | 0
  h[4] = ((h[4] as number) + e) | 0
}

// Scratch state reused across calls (all synchronous, so never shared by two hashes at
// once): buffers over 64 bytes live off the V8 heap and cost more to allocate than a
// whole compression of a small input.
const STATE = new Int32Array(8)
const BUF = new Uint8Array(128)

/** Merkle–Damgård over the concatenation of `parts`, without concatenating them. */
function mdHash(parts: readonly Uint8Array[], init: Int32Array, compress: Compress): Uint8Array {
  const h = STATE
  h.set(init)
  const buf = BUF
  let used = 0
  let total = 0
  for (const p of parts) {
    const len = p.length
    total += len
    let i = 0
    while (i < len) {
      if (used === 0 && i + 64 <= len) {
        compress(h, p, i)
        i += 64
        continue
      }
      // byte loop, not buf.set(p.subarray()): a view object per part costs more than
      // copying the few bytes of a small input
      const take = Math.min(64 - used, len - i)
      for (let j = 0; j < take; j++) buf[used + j] = p[i + j] as number
      used += take
      i += take
      if (used === 64) {
        compress(h, buf, 0)
        used = 0
      }
    }
  }
  buf[used] = 0x80
  buf.fill(0, used + 1)
  const end = used + 1 + 8 <= 64 ? 64 : 128
  writeBe(buf, end - 8, Math.floor(total / 0x20000000))
  writeBe(buf, end - 4, total * 8)
  compress(h, buf, 0)
  if (end === 128) compress(h, buf, 64)
  const words = init.length
  const out = new Uint8Array(words * 4)
  for (let i = 0; i < words; i++) writeBe(out, 4 * i, h[i] as number)
  buf.fill(0)
  h.fill(0)
  W.fill(0)
  return out
}

function writeBe(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24
  b[off + 1] = v >>> 16
  b[off + 2] = v >>> 8
  b[off + 3] = v
}

/** Input bytes hashed per call; with up to 72 bytes of padding this fits the 1-page memory. */
const SHA_CHUNK = 62 * 1024

interface Sha256Core {
  words: Int32Array
  bytes: Uint8Array
  compress: (blocks: number) => void
}

const sha256Core = lazyWasm(buildSha256Wasm, (exports): Sha256Core => {
  const { buffer } = exports['memory'] as WebAssembly.Memory
  return { words: new Int32Array(buffer), bytes: new Uint8Array(buffer), compress: exports['compress'] as Sha256Core['compress'] }
})

/** Whether SHA-256 runs on WebAssembly here (for tests); instantiates the module. */
export function sha256WasmAvailable(): boolean {
  return sha256Core() !== null
}

/**
 * The same Merkle–Damgård padding as mdHash, in the module's memory. About 1.5× the JS
 * compression (bench/results/crypto.json rows `sha256`); the data region and chaining
 * value are zeroed before returning.
 */
function sha256Wasm(c: Sha256Core, parts: readonly Uint8Array[]): Uint8Array {
  const { words, bytes } = c
  for (let i = 0; i < 8; i++) words[(SHA_STATE >> 2) + i] = H256[i] as number
  let used = 0
  let total = 0
  let flushed = false
  try {
    for (const p of parts) {
      const len = p.length
      total += len
      for (let i = 0; i < len;) {
        const take = Math.min(SHA_CHUNK - used, len - i)
        bytes.set(take === len ? p : p.subarray(i, i + take), SHA_DATA + used)
        used += take
        i += take
        if (used === SHA_CHUNK) {
          c.compress(SHA_CHUNK >> 6)
          used = 0
          flushed = true
        }
      }
    }
    const end = (used + 9 + 63) & ~63
    bytes[SHA_DATA + used] = 0x80
    bytes.fill(0, SHA_DATA + used + 1, SHA_DATA + end - 8)
    writeBe(bytes, SHA_DATA + end - 8, Math.floor(total / 0x20000000))
    writeBe(bytes, SHA_DATA + end - 4, total * 8)
    c.compress(end >> 6)
    const out = new Uint8Array(32)
    for (let i = 0; i < 8; i++) writeBe(out, 4 * i, words[(SHA_STATE >> 2) + i] as number)
    return out
  } finally {
    bytes.fill(0, SHA_DATA, SHA_DATA + (flushed ? SHA_CHUNK + 72 : used + 72))
    words.fill(0, SHA_STATE >> 2, (SHA_STATE >> 2) + 8)
  }
}

/** SHA-256 of the concatenation of `parts`. */
export function sha256Sync(...parts: Uint8Array[]): Uint8Array {
  const c = sha256Core()
  return c === null ? mdHash(parts, H256, compress256) : sha256Wasm(c, parts)
}

/** SHA-256 on the JS compression function only (the readable reference in tests). */
export function sha256Js(...parts: Uint8Array[]): Uint8Array {
  return mdHash(parts, H256, compress256)
}

/** SHA-1 of the concatenation of `parts` (auth_key_id, v1 KDF, handshake framing). */
export function sha1Sync(...parts: Uint8Array[]): Uint8Array {
  return mdHash(parts, H1, compress1)
}
