import { CryptoError } from './errors.ts'

export function expectUint8Array(name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new CryptoError('BAD_INPUT', `${name}: expected Uint8Array`)
}

/** Throws unless `value` is a Uint8Array of exactly `length` bytes; `name` is the argument. */
export function expectBytes(name: string, value: Uint8Array, length: number, code = 'BAD_LENGTH'): void {
  if (!(value instanceof Uint8Array)) throw new CryptoError(code, `${name}: expected Uint8Array`)
  if (value.length !== length) throw new CryptoError(code, `${name}: expected ${length} bytes, got ${value.length}`)
}

/** Throws unless `value` is a Uint8Array whose length is a multiple of 16. */
export function expectBlocks(name: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new CryptoError('NOT_BLOCK_ALIGNED', `${name}: expected Uint8Array`)
  if (value.length % 16 !== 0) {
    throw new CryptoError('NOT_BLOCK_ALIGNED', `${name}: length ${value.length} is not a multiple of 16`)
  }
}

/**
 * A copy in a fresh, exactly-sized ArrayBuffer. Not `.slice()`: on a Node Buffer that is
 * a view sharing memory, and the AES code writes through `.buffer`.
 */
export function copyOf(b: Uint8Array, start = 0, end = b.length): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b.subarray(start, end))
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** Compares without an early exit, so timing does not reveal where two MACs differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/** An Int32Array over `bytes` when it is 4-aligned, else over an aligned copy. */
export function wordsOf(bytes: Uint8Array): Int32Array {
  if (bytes.byteOffset % 4 === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2)
  return new Int32Array(copyOf(bytes).buffer, 0, bytes.length >> 2)
}

export function wipe(...arrays: (Uint8Array | Int32Array | undefined)[]): void {
  for (const a of arrays) a?.fill(0)
}

/** `b` typed for WebCrypto, which refuses views of a SharedArrayBuffer: those are copied. */
export function bufferSource(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b)
}

const SCRATCH_MAX = 2 << 20
let scratchBuffer = new ArrayBuffer(0)

/**
 * A reusable buffer of `n` bytes (fresh above 2 MiB). Fresh large buffers cost a page
 * fault per 4 KiB on first touch, more than the XOR passes that fill them. Only for data
 * handed to a WebCrypto call, which copies its input before returning: the caller fills
 * it, passes it, and wipes it before its first await.
 */
export function scratchWords(n: number): Int32Array<ArrayBuffer> {
  if (n > SCRATCH_MAX) return new Int32Array(n >> 2)
  if (scratchBuffer.byteLength < n) scratchBuffer = new ArrayBuffer(Math.max(n, 64 * 1024))
  return new Int32Array(scratchBuffer, 0, n >> 2)
}
