/**
 * The hand-written pieces the generated codecs call: vectors, required optionals and
 * TlRaw passthrough. Kept out of the generated file so it is type-checked as source.
 */
import { TlError } from './errors.ts'
import type { TlReader } from './reader.ts'
import type { TlWriter } from './writer.ts'
import type { TlRaw } from './generated/types.ts'

export const VECTOR_ID = 0x1cb5c415

/**
 * Reads a count and `count` items. The count is checked against the bytes left
 * (each item takes at least `minItemSize`) before anything is allocated.
 */
export function readVector<T>(r: TlReader, minItemSize: number, item: () => T): T[] {
  const at = r.offset
  const count = r.int32()
  if (count < 0 || count * minItemSize > r.remaining) {
    throw new TlError('VECTOR_TOO_LONG', `vector of ${count} at offset ${at}, ${r.remaining} bytes left`)
  }
  const out = new Array<T>(count)
  for (let i = 0; i < count; i++) out[i] = item()
  return out
}

export function writeVector<T>(w: TlWriter, boxed: boolean, items: readonly T[], item: (v: T) => void): void {
  if (!Array.isArray(items)) throw new TlError('BAD_VALUE', 'vector field is not an array')
  if (boxed) w.uint32(VECTOR_ID)
  w.int32(items.length)
  for (const v of items) item(v)
}

/** A flags-bit group is all-or-nothing: a set bit needs every field that shares it. */
export function need<T>(v: T | undefined, field: string): T {
  if (v === undefined) throw new TlError('BAD_VALUE', `${field} is required by a flags bit set by a sibling field`)
  return v
}

/** TlRaw carries its own id; it must be whole 4-byte words starting with that id. */
export function writeRaw(w: TlWriter, o: TlRaw): void {
  const b = o.bytes
  if (!(b instanceof Uint8Array) || b.length < 4 || b.length % 4 !== 0) {
    throw new TlError('BAD_VALUE', 'TlRaw bytes must be whole words including the id')
  }
  const id = ((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0
  if (id !== o.id >>> 0) throw new TlError('BAD_VALUE', 'TlRaw id does not match its first word')
  w.raw(b)
}

export function hex(id: number): string {
  return `0x${(id >>> 0).toString(16).padStart(8, '0')}`
}
