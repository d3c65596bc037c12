import { createCipheriv, createDecipheriv } from 'node:crypto'

/**
 * AES-256-IGE (AES-128 too, for the OpenSSL vectors) over node's raw AES block (ECB, no padding), encryption.md §3:
 * c_i = E(m_i ⊕ c_{i-1}) ⊕ m_{i-1}, with c_0 = iv[0:16], m_0 = iv[16:32].
 */
export function igeEncrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  checkArgs(data, key, iv)
  const aes = createCipheriv(ecbName(key), key, null).setAutoPadding(false)
  const out = Buffer.alloc(data.length)
  let prevC = Buffer.from(iv.subarray(0, 16))
  let prevM = Buffer.from(iv.subarray(16, 32))
  const block = Buffer.alloc(16)
  for (let off = 0; off < data.length; off += 16) {
    for (let i = 0; i < 16; i++) block[i] = (data[off + i] as number) ^ (prevC[i] as number)
    const enc = aes.update(block)
    for (let i = 0; i < 16; i++) out[off + i] = (enc[i] as number) ^ (prevM[i] as number)
    prevM = Buffer.from(data.subarray(off, off + 16))
    prevC = out.subarray(off, off + 16)
  }
  return out
}

export function igeDecrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  checkArgs(data, key, iv)
  const aes = createDecipheriv(ecbName(key), key, null).setAutoPadding(false)
  const out = Buffer.alloc(data.length)
  let prevC: Uint8Array = Buffer.from(iv.subarray(0, 16))
  let prevM: Uint8Array = Buffer.from(iv.subarray(16, 32))
  const block = Buffer.alloc(16)
  for (let off = 0; off < data.length; off += 16) {
    for (let i = 0; i < 16; i++) block[i] = (data[off + i] as number) ^ (prevM[i] as number)
    const dec = aes.update(block)
    for (let i = 0; i < 16; i++) out[off + i] = (dec[i] as number) ^ (prevC[i] as number)
    prevC = data.subarray(off, off + 16)
    prevM = out.subarray(off, off + 16)
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
