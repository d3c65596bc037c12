import { TlError } from './errors.ts'

const BOOL_TRUE = 0x997275b5
const BOOL_FALSE = 0xbc799737
const utf8 = new TextDecoder('utf-8')

/**
 * Reads TL primitives from `buf[offset, end)`. Every read is bounds-checked against
 * `end` first, so malformed input fails with a TlError before anything is allocated.
 * Returned byte arrays are copies: callers may wipe or keep them independently of `buf`.
 */
export class TlReader {
  readonly #buf: Uint8Array
  readonly #view: DataView
  #pos: number
  #end: number

  constructor(buf: Uint8Array, offset = 0, end = buf.length) {
    if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end > buf.length || offset > end) {
      throw new TlError('BAD_VALUE', `reader bounds [${offset}, ${end}) outside a ${buf.length}-byte buffer`)
    }
    this.#buf = buf
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    this.#pos = offset
    this.#end = end
  }

  get offset(): number {
    return this.#pos
  }

  /** The exclusive end of the current bound (see `limit`). */
  get end(): number {
    return this.#end
  }

  get remaining(): number {
    return this.#end - this.#pos
  }

  int32(): number {
    const p = this.#take(4)
    return this.#view.getInt32(p, true)
  }

  uint32(): number {
    const p = this.#take(4)
    return this.#view.getUint32(p, true)
  }

  int64(): bigint {
    const p = this.#take(8)
    return this.#view.getBigInt64(p, true)
  }

  double(): number {
    const p = this.#take(8)
    return this.#view.getFloat64(p, true)
  }

  int128(): Uint8Array {
    return this.raw(16)
  }

  int256(): Uint8Array {
    return this.raw(32)
  }

  bytes(): Uint8Array {
    const start = this.#pos
    const first = this.#peekByte()
    let len: number
    let header: number
    if (first <= 253) {
      len = first
      header = 1
    } else if (first === 254) {
      const p = this.#take(4)
      len = this.#view.getUint32(p, true) >>> 8
      header = 4
      this.#pos = start
    } else {
      throw new TlError('BAD_VALUE', `length marker 0xff at offset ${start}`)
    }
    const padded = (header + len + 3) & ~3
    if (padded > this.remaining) {
      throw new TlError('LENGTH_PAST_END', `${len}-byte value at offset ${start} overruns the bound by ${padded - this.remaining}`)
    }
    this.#pos = start + padded
    return this.#buf.slice(start + header, start + header + len)
  }

  string(): string {
    return utf8.decode(this.bytes())
  }

  bool(): boolean {
    const at = this.#pos
    const id = this.uint32()
    if (id === BOOL_TRUE) return true
    if (id === BOOL_FALSE) return false
    throw new TlError('BAD_BOOL', `0x${id.toString(16)} at offset ${at} is not a Bool`)
  }

  raw(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new TlError('BAD_VALUE', `raw length ${n}`)
    const p = this.#take(n)
    return this.#buf.slice(p, p + n)
  }

  peekUint32(): number {
    if (this.remaining < 4) throw this.#truncated(4)
    return this.#view.getUint32(this.#pos, true)
  }

  /**
   * Narrows the bound to the next `n` bytes (a length-delimited body) and returns the
   * previous end, to be handed back to `unlimit` once the body has been read.
   */
  limit(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > this.remaining) {
      throw new TlError('LENGTH_PAST_END', `body of ${n} bytes at offset ${this.#pos}, ${this.remaining} left`)
    }
    const previous = this.#end
    this.#end = this.#pos + n
    return previous
  }

  unlimit(previousEnd: number): void {
    if (previousEnd < this.#end || previousEnd > this.#buf.length) {
      throw new TlError('BAD_VALUE', `cannot widen the bound to ${previousEnd}`)
    }
    this.#end = previousEnd
  }

  #take(n: number): number {
    if (n > this.remaining) throw this.#truncated(n)
    const p = this.#pos
    this.#pos = p + n
    return p
  }

  #peekByte(): number {
    if (this.remaining < 1) throw this.#truncated(1)
    return this.#buf[this.#pos] ?? 0
  }

  #truncated(n: number): TlError {
    return new TlError('TRUNCATED', `need ${n} bytes at offset ${this.#pos}, ${this.remaining} left`)
  }
}
