/**
 * The IGE entry points used by everything else: the AES-256 chain runs in the WebAssembly
 * module built from aes-wasm-build.ts (about 1.7× the JS core: V8 checks every typed-array
 * access in JS, while wasm memory accesses are covered by guard pages). Data goes through
 * the module's memory in 64 KiB chunks, which is wiped after each call. Where WebAssembly
 * is unavailable (e.g. a CSP without 'wasm-unsafe-eval'), and for AES-128 (the OpenSSL
 * vectors only), the JS core in aes-core.ts runs instead.
 */
import { SBOX_BYTES, TABLES_DEC, TABLES_ENC, INV_SBOX_BYTES, igeDecryptWordsJs, igeEncryptWordsJs } from './aes-core.ts'
import { copyOf, wordsOf } from './bytes.ts'
import { lazyWasm } from './wasm-instance.ts'
import { buildAesWasm } from './aes-wasm-build.ts'
import { CHUNK, DATA, INV_S, IV, RK, ROUNDS, S, TD, TE } from './aes-wasm-layout.ts'

interface Core {
  words: Int32Array
  bytes: Uint8Array
  encrypt: (n: number) => void
  decrypt: (n: number) => void
}

const core = lazyWasm(buildAesWasm, (exports): Core => {
  const memory = exports['memory'] as WebAssembly.Memory
  const words = new Int32Array(memory.buffer)
  const bytes = new Uint8Array(memory.buffer)
  words.set(TABLES_DEC, TD >> 2)
  words.set(TABLES_ENC, TE >> 2)
  bytes.set(INV_SBOX_BYTES, INV_S)
  bytes.set(SBOX_BYTES, S)
  return { words, bytes, encrypt: exports['encrypt'] as Core['encrypt'], decrypt: exports['decrypt'] as Core['decrypt'] }
})

/** Whether IGE runs on WebAssembly here (for tests and the bench); instantiates the module. */
export function aesWasmAvailable(): boolean {
  return core() !== null
}

type Pass = typeof igeEncryptWordsJs

function runWasm(c: Core, pass: (n: number) => void, rk: Int32Array, iv: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
  const { words, bytes } = c
  const n = src.length
  words.set(rk, RK >> 2)
  bytes.set(iv, IV)
  try {
    for (let off = 0; off < n; off += CHUNK) {
      const len = Math.min(CHUNK, n - off)
      bytes.set(len === n ? src : src.subarray(off, off + len), DATA)
      pass(len)
      dst.set(bytes.subarray(DATA, DATA + len), off)
    }
  } finally {
    bytes.fill(0, RK, IV + 32)
    bytes.fill(0, DATA, DATA + Math.min(n, CHUNK))
  }
}

function runJs(pass: Pass, rk: Int32Array, iv: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
  const v = new Int32Array(copyOf(iv).buffer)
  const aligned = dst.byteOffset % 4 === 0
  const out = aligned ? new Int32Array(dst.buffer, dst.byteOffset, dst.length >> 2) : new Int32Array(dst.length >> 2)
  pass(wordsOf(src), out, rk, v)
  if (!aligned) dst.set(new Uint8Array(out.buffer))
  v.fill(0)
}

/**
 * IGE encryption of `src` into `dst` (same length, a multiple of 16; they may be the same
 * bytes). `iv` is c_0 ‖ m_0 (32 bytes), `rk` from expandEncKey: c_i = E(m_i ^ c_{i-1}) ^ m_{i-1}.
 */
export function igeEncryptInto(rk: Int32Array, iv: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
  const c = rk.length === 4 * (ROUNDS + 1) ? core() : null
  if (c === null) runJs(igeEncryptWordsJs, rk, iv, src, dst)
  else if (src.length > 0) runWasm(c, c.encrypt, rk, iv, src, dst)
}

/** IGE decryption of `src` into `dst`, `dk` from expandDecKey: m_i = D(c_i ^ m_{i-1}) ^ c_{i-1}. */
export function igeDecryptInto(dk: Int32Array, iv: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
  const c = dk.length === 4 * (ROUNDS + 1) ? core() : null
  if (c === null) runJs(igeDecryptWordsJs, dk, iv, src, dst)
  else if (src.length > 0) runWasm(c, c.decrypt, dk, iv, src, dst)
}
