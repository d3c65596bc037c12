/** Whole-object entry points over the generated codecs. */
import { BARE_CODECS, ID_BY_NAME, NAME_BY_ID, decodeAny, encodeAny } from './generated/codecs.ts'
import type { TlBareTypes, TlObject } from './generated/types.ts'
import { TlError } from './errors.ts'
import { TlReader } from './reader.ts'
import { TlWriter } from './writer.ts'

export type TlOf<N extends TlObject['_']> = Extract<TlObject, { _: N }>

/** Writes `obj` boxed (its id, then its fields). */
export function encodeObject(w: TlWriter, obj: TlObject): void {
  encodeAny(w, obj, 0)
}

/**
 * Reads exactly one boxed object. The position is an Object one: an unknown id
 * becomes TlRaw spanning the rest of the reader's bound.
 */
export function decodeObject(r: TlReader): TlObject {
  return decodeAny(r, 0)
}

export function serializeObject(obj: TlObject): Uint8Array {
  const w = new TlWriter()
  encodeAny(w, obj, 0)
  return w.finish()
}

/** Decodes a buffer holding exactly one boxed object. */
export function deserializeObject(buf: Uint8Array): TlObject {
  const r = new TlReader(buf)
  const obj = decodeAny(r, 0)
  if (r.remaining !== 0) throw new TlError('TRAILING_BYTES', `${r.remaining} bytes after ${obj._}`)
  return obj
}

export type TlBareName = keyof TlBareTypes

/** Writes a constructor bare, without its id (e.g. rsa_public_key for a fingerprint). */
export function encodeBare<N extends TlBareName>(w: TlWriter, name: N, obj: TlBareTypes[N]): void {
  BARE_CODECS[name].encode(w, obj, 0)
}

export function decodeBare<N extends TlBareName>(r: TlReader, name: N): TlBareTypes[N] {
  return BARE_CODECS[name].decode(r, 0)
}

export function constructorId(name: TlObject['_']): number {
  const id = ID_BY_NAME.get(name)
  if (id === undefined) throw new TlError('UNKNOWN_CONSTRUCTOR', `no constructor named ${name}`)
  return id
}

export function nameOfId(id: number): string | undefined {
  return NAME_BY_ID.get(id >>> 0)
}
