import { createCipheriv, createDecipheriv } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { getWasmUrl, ige256Decrypt, initSync } from '@mtcute/wasm'

/**
 * AES-256-IGE (AES-128 too, for the OpenSSL vectors), encryption.md §3:
 * c_i = E(m_i ⊕ c_{i-1}) ⊕ m_{i-1}, with c_0 = iv[0:16], m_0 = iv[16:32].
 *
 * Encryption is one node:crypto AES-CBC call: with Z_i = E(m_i ⊕ c_{i-1}) we have
 * c_i = Z_i ⊕ m_{i-1}, so m_i ⊕ c_{i-1} = (m_i ⊕ m_{i-2}) ⊕ Z_{i-1}, i.e. CBC (IV = c_0)
 * over X_i = m_i ⊕ m_{i-2} (m_{-1} taken as 0) yields the Z_i. The two XOR passes run on
 * 32-bit words.
 *
 * Decryption feeds each AES *decryption* the previous plaintext, a chain OpenSSL offers in
 * no mode, so node:crypto can only run it one 16-byte call at a time (~17 MB/s: 31 ms for a
 * 512 KiB part, bench/results/server-crypto.json). AES-256 therefore decrypts in @mtcute/wasm,
 * a whole message per call (the crypto rule: node:crypto or a well-kept third-party
 * library, never @pfs-web/crypto). The block-by-block chain stays as the reference the
 * tests check it against, and for the AES-128 vectors, which the wasm does not take.
 */
export function igeEncrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  checkArgs(data, key, iv)
  const n = data.length
  // p = [0 × 16 | m_{-1} = iv[16:32] | m_0 … m_{k-1}], in a fresh (so 4-aligned) buffer
  const p = new Uint8Array(n + 32)
  p.set(iv.subarray(16, 32), 16)
  p.set(data, 32)
  const p32 = new Uint32Array(p.buffer)
  const x = new Uint32Array(n / 4)
  for (let w = 0; w < x.length; w++) x[w] = p32[w + 8]! ^ p32[w]!
  // without padding, update() returns every block and final() nothing
  const z = aligned(createCipheriv(cbcName(key), key, iv.subarray(0, 16)).setAutoPadding(false).update(x))
  const z32 = new Uint32Array(z.buffer, z.byteOffset, n / 4)
  for (let w = 0; w < z32.length; w++) z32[w] = z32[w]! ^ p32[w + 4]!
  return z
}

export function igeDecrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  checkArgs(data, key, iv)
  if (key.length === 16) return igeDecryptBlocks(data, key, iv)
  loadWasm()
  const out = ige256Decrypt(data, key, iv)
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength)
}

/** The readable reference: one ECB decryption per block, m_i = D(c_i ⊕ m_{i-1}) ⊕ c_{i-1}. */
export function igeDecryptBlocks(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  checkArgs(data, key, iv)
  const aes = createDecipheriv(ecbName(key), key, null).setAutoPadding(false)
  const out = Buffer.allocUnsafe(data.length)
  const block = Buffer.allocUnsafe(16)
  for (let off = 0; off < data.length; off += 16) {
    for (let i = 0; i < 16; i++) {
      const prevM = off === 0 ? (iv[16 + i] as number) : (out[off - 16 + i] as number)
      block[i] = (data[off + i] as number) ^ prevM
    }
    const dec = aes.update(block)
    for (let i = 0; i < 16; i++) {
      const prevC = off === 0 ? (iv[i] as number) : (data[off - 16 + i] as number)
      out[off + i] = (dec[i] as number) ^ prevC
    }
  }
  return out
}

let wasmLoaded = false
/** The wasm module is compiled once per process, on first use (a few ms). */
function loadWasm(): void {
  if (wasmLoaded) return
  initSync(readFileSync(fileURLToPath(getWasmUrl())))
  wasmLoaded = true
}

/** A Buffer whose offset allows a Uint32Array view (node:crypto may hand out pooled slices). */
function aligned(b: Buffer): Buffer {
  return b.byteOffset % 4 === 0 ? b : Buffer.from(new Uint8Array(b).buffer)
}

function checkArgs(data: Uint8Array, key: Uint8Array, iv: Uint8Array): void {
  if (data.length % 16 !== 0) throw new RangeError('ige: data length must be a multiple of 16')
  if (key.length !== 32 && key.length !== 16) throw new RangeError('ige: key must be 32 bytes (16 for the OpenSSL vectors)')
  if (iv.length !== 32) throw new RangeError('ige: iv must be 32 bytes')
}

function ecbName(key: Uint8Array): 'aes-256-ecb' | 'aes-128-ecb' {
  return key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb'
}

function cbcName(key: Uint8Array): 'aes-256-cbc' | 'aes-128-cbc' {
  return key.length === 16 ? 'aes-128-cbc' : 'aes-256-cbc'
}
