/** Big-endian unsigned integer ↔ bytes, as TL `bytes` carries big numbers (mtproto-tl.md §1). */
export function bigFromBytes(bytes: Uint8Array): bigint {
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return hex === '' ? 0n : BigInt('0x' + hex)
}

/** Minimal big-endian bytes, or left-padded to `length` when given. */
export function bigToBytes(value: bigint, length?: number): Buffer {
  let hex = value.toString(16)
  if (hex.length % 2 === 1) hex = '0' + hex
  if (value === 0n) hex = ''
  const raw = Buffer.from(hex, 'hex')
  if (length === undefined) return raw
  if (raw.length > length) throw new RangeError(`value needs ${raw.length} bytes, not ${length}`)
  return Buffer.concat([Buffer.alloc(length - raw.length), raw])
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n
  let b = base % mod
  let e = exp
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod
    b = (b * b) % mod
    e >>= 1n
  }
  return result
}

export function xorBytes(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0)
  return out
}

/** A TL `long` read from 8 LE bytes (signed, as the schema types it). */
export function longFromBytes(bytes: Uint8Array, offset = 0): bigint {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readBigInt64LE(offset)
}

export function longToBytes(value: bigint): Buffer {
  const out = Buffer.alloc(8)
  out.writeBigInt64LE(BigInt.asIntN(64, value))
  return out
}
