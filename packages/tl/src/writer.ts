import { TlError } from './errors.ts'

const BOOL_TRUE = 0x997275b5
const BOOL_FALSE = 0xbc799737
/** A bytes/string length must fit in the 3-byte prefix (mtproto-tl.md §1). */
export const MAX_BYTES_LENGTH = 0xffffff
const utf8 = new TextEncoder()

/**
 * Appends TL primitives to a growing buffer. Every value is range-checked: a bad
 * value throws TlError('BAD_VALUE') instead of silently wrapping on the wire.
 */
export class TlWriter {
  #buf: Uint8Array
  #view: DataView
  #pos = 0

  constructor(initialCapacity = 256) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 0) {
      throw new TlError('BAD_VALUE', `initialCapacity ${initialCapacity}`)
    }
    this.#buf = new Uint8Array(Math.max(16, initialCapacity))
    this.#view = new DataView(this.#buf.buffer)
  }

  get length(): number {
    return this.#pos
  }

  int32(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw badValue('int32', v)
    const p = this.#reserve(4)
    this.#view.setInt32(p, v, true)
    return this
  }

  uint32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw badValue('uint32', v)
    const p = this.#reserve(4)
    this.#view.setUint32(p, v, true)
    return this
  }

  int64(v: bigint): this {
    if (typeof v !== 'bigint' || v < -0x8000000000000000n || v > 0x7fffffffffffffffn) throw badValue('int64', v)
    const p = this.#reserve(8)
    this.#view.setBigInt64(p, v, true)
    return this
  }

  double(v: number): this {
    if (typeof v !== 'number') throw badValue('double', v)
    const p = this.#reserve(8)
    this.#view.setFloat64(p, v, true)
    return this
  }

  int128(v: Uint8Array): this {
    return this.#fixed(v, 16)
  }

  int256(v: Uint8Array): this {
    return this.#fixed(v, 32)
  }

  bytes(v: Uint8Array): this {
    if (!(v instanceof Uint8Array)) throw badValue('bytes', v)
    const len = v.length
    if (len > MAX_BYTES_LENGTH) throw new TlError('BYTES_TOO_LONG', `${len} bytes do not fit a TL length prefix`)
    const header = len <= 253 ? 1 : 4
    const total = (header + len + 3) & ~3
    const p = this.#reserve(total)
    if (header === 1) {
      this.#buf[p] = len
    } else {
      this.#view.setUint32(p, ((len << 8) | 254) >>> 0, true)
    }
    this.#buf.set(v, p + header)
    // Padding is already zero: #reserve hands out zeroed space.
    return this
  }

  string(v: string): this {
    if (typeof v !== 'string') throw badValue('string', v)
    return this.bytes(utf8.encode(v))
  }

  bool(v: boolean): this {
    if (typeof v !== 'boolean') throw badValue('Bool', v)
    return this.uint32(v ? BOOL_TRUE : BOOL_FALSE)
  }

  raw(v: Uint8Array): this {
    if (!(v instanceof Uint8Array)) throw badValue('raw', v)
    const p = this.#reserve(v.length)
    this.#buf.set(v, p)
    return this
  }

  /** Overwrites an int32 already written at `at` (a length known only after its body). */
  setInt32At(at: number, v: number): this {
    if (!Number.isInteger(at) || at < 0 || at + 4 > this.#pos) throw badValue('offset', at)
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw badValue('int32', v)
    this.#view.setInt32(at, v, true)
    return this
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos)
  }

  /**
   * Empties the writer for reuse: what was written is zeroed (it may be key material, and
   * #reserve hands out zeroed space), and a buffer grown past `keepCapacity` is let go.
   */
  reset(keepCapacity = 64 * 1024): void {
    if (this.#buf.length > keepCapacity) {
      this.#buf = new Uint8Array(Math.max(16, keepCapacity))
      this.#view = new DataView(this.#buf.buffer)
    } else {
      this.#buf.fill(0, 0, this.#pos)
    }
    this.#pos = 0
  }

  #fixed(v: Uint8Array, n: number): this {
    if (!(v instanceof Uint8Array) || v.length !== n) {
      throw new TlError('BAD_VALUE', `int${n * 8} needs exactly ${n} bytes`)
    }
    return this.raw(v)
  }

  /**
   * Returns the offset of `n` fresh zeroed bytes, growing the buffer geometrically.
   * Call it before touching #buf/#view: growth replaces both.
   */
  #reserve(n: number): number {
    const p = this.#pos
    const need = p + n
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2
      while (cap < need) cap *= 2
      const next = new Uint8Array(cap)
      next.set(this.#buf.subarray(0, p))
      this.#buf = next
      this.#view = new DataView(next.buffer)
    }
    this.#pos = need
    return p
  }
}

function badValue(kind: string, v: unknown): TlError {
  const shown = typeof v === 'bigint' || typeof v === 'number' ? String(v) : typeof v
  return new TlError('BAD_VALUE', `${shown} is not a valid ${kind}`)
}
