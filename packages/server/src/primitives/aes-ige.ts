import { createCipheriv, createDecipheriv } from 'node:crypto'

/**
 * AES-256-IGE (AES-128 too, for the OpenSSL vectors) on node:crypto, encryption.md §3:
 * c_i = E(m_i ⊕ c_{i-1}) ⊕ m_{i-1}, with c_0 = iv[0:16], m_0 = iv[16:32].
 *
 * Encryption is one AES-CBC call: with Z_i = E(m_i ⊕ c_{i-1}) we have c_i = Z_i ⊕ m_{i-1},
 * so m_i ⊕ c_{i-1} = (m_i ⊕ m_{i-2}) ⊕ Z_{i-1}, i.e. CBC (IV = c_0) over X_i = m_i ⊕ m_{i-2}
 * (m_{-1} taken as 0) yields the Z_i. Decryption needs the previous plaintext before each
 * block, so it runs block by block on an ECB decipher. Per-block JS calls dominated upload
 * and download time (bench/results/session.json), hence the single call where it exists.
 */
export function igeEncrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  checkArgs(data, key, iv)
  const n = data.length
  const x = Buffer.allocUnsafe(n)
  for (let off = 0; off < n; off += 16) {
    for (let i = 0; i < 16; i++) {
      const before2 = off >= 32 ? (data[off - 32 + i] as number) : off === 16 ? (iv[16 + i] as number) : 0
      x[off + i] = (data[off + i] as number) ^ before2
    }
  }
  const cbc = createCipheriv(cbcName(key), key, iv.subarray(0, 16)).setAutoPadding(false)
  const z = Buffer.concat([cbc.update(x), cbc.final()])
  for (let off = 0; off < n; off += 16) {
    for (let i = 0; i < 16; i++) {
      const prevM = off === 0 ? (iv[16 + i] as number) : (data[off - 16 + i] as number)
      z[off + i] = (z[off + i] as number) ^ prevM
    }
  }
  return z
}

export function igeDecrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
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
