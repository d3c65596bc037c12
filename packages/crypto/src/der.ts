import { CryptoError } from './errors.ts'

/** One DER element: its tag byte and content, plus where the next element starts. */
export interface DerElement {
  tag: number
  content: Uint8Array
  end: number
}

export const DER_INTEGER = 0x02
export const DER_BIT_STRING = 0x03
export const DER_NULL = 0x05
export const DER_OID = 0x06
export const DER_SEQUENCE = 0x30

// Keys are a few hundred bytes; four length bytes already allow 4 GiB.
const MAX_LENGTH_BYTES = 4

/**
 * Reads the element at `offset`, insisting on `tag` and on DER's definite, minimal
 * length encoding, and on the content fitting inside `bytes`. Only what public keys
 * use; anything else is BAD_PEM.
 */
export function readDer(bytes: Uint8Array, offset: number, tag: number): DerElement {
  const got = bytes[offset]
  if (got !== tag) throw bad(`expected tag 0x${tag.toString(16)} at ${offset}, got ${got ?? 'end of input'}`)
  const first = bytes[offset + 1]
  if (first === undefined) throw bad('truncated length')
  let length = first
  let start = offset + 2
  if (first & 0x80) {
    const count = first & 0x7f
    if (count === 0) throw bad('indefinite length is not DER')
    if (count > MAX_LENGTH_BYTES) throw bad('length field too long')
    if (start + count > bytes.length) throw bad('truncated length')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] as number)
    if (bytes[start] === 0 || length < 0x80) throw bad('non-minimal length')
    start += count
  }
  const end = start + length
  if (end > bytes.length) throw bad(`element at ${offset} runs past the input`)
  return { tag, content: bytes.subarray(start, end), end }
}

/** Reads the single element filling `bytes` exactly: trailing bytes are an error. */
export function readOnlyDer(bytes: Uint8Array, tag: number): Uint8Array {
  const el = readDer(bytes, 0, tag)
  if (el.end !== bytes.length) throw bad(`${bytes.length - el.end} trailing bytes`)
  return el.content
}

/** A DER INTEGER's content as a positive, minimal big-endian magnitude. */
export function positiveInteger(content: Uint8Array): Uint8Array {
  const [b0, b1] = content
  if (b0 === undefined) throw bad('empty INTEGER')
  if (b0 & 0x80) throw bad('negative INTEGER')
  if (b0 === 0 && b1 === undefined) throw bad('zero INTEGER')
  if (b0 === 0 && ((b1 as number) & 0x80) === 0) throw bad('non-minimal INTEGER')
  return content.slice(b0 === 0 ? 1 : 0)
}

function bad(detail: string): CryptoError {
  return new CryptoError('BAD_PEM', `DER: ${detail}`)
}
