/**
 * Whole-object entry points over one set of generated codecs: the full set (object.ts, for
 * the server and tools) or the client's (object-client.ts, for the worker).
 */
import type * as Generated from './generated/codecs.ts'
import type { TlBareTypes, TlObject } from './generated/types.ts'
import { TlError } from './errors.ts'
import { TlReader } from './reader.ts'
import { TlWriter } from './writer.ts'

export type TlOf<N extends TlObject['_']> = Extract<TlObject, { _: N }>
export type TlBareName = keyof TlBareTypes
export type CodecSet = Pick<typeof Generated, 'BARE_CODECS' | 'ID_BY_NAME' | 'NAME_BY_ID' | 'decodeAny' | 'encodeAny'>

export interface ObjectCodec {
  /** Writes `obj` boxed (its id, then its fields). */
  encodeObject(w: TlWriter, obj: TlObject): void
  /**
   * Reads exactly one boxed object. The position is an Object one: an unknown id
   * becomes TlRaw spanning the rest of the reader's bound.
   */
  decodeObject(r: TlReader): TlObject
  serializeObject(obj: TlObject): Uint8Array
  /** Decodes a buffer holding exactly one boxed object. */
  deserializeObject(buf: Uint8Array): TlObject
  /** Writes a constructor bare, without its id (e.g. rsa_public_key for a fingerprint). */
  encodeBare<N extends TlBareName>(w: TlWriter, name: N, obj: TlBareTypes[N]): void
  decodeBare<N extends TlBareName>(r: TlReader, name: N): TlBareTypes[N]
  constructorId(name: TlObject['_']): number
  nameOfId(id: number): string | undefined
}

export function objectCodec(c: CodecSet): ObjectCodec {
  // One writer serves every serializeObject (issue #17: a writer per message was a buffer
  // and a DataView per call). Encoding is synchronous, so it is free again on return.
  const scratch = new TlWriter(1024)
  let busy = false
  return {
    encodeObject: (w, obj) => c.encodeAny(w, obj, 0),
    decodeObject: (r) => c.decodeAny(r, 0),
    serializeObject(obj) {
      if (busy) {
        const w = new TlWriter()
        c.encodeAny(w, obj, 0)
        return w.finish()
      }
      busy = true
      try {
        c.encodeAny(scratch, obj, 0)
        return scratch.finish()
      } finally {
        scratch.reset()
        busy = false
      }
    },
    deserializeObject(buf) {
      const r = new TlReader(buf)
      const obj = c.decodeAny(r, 0)
      if (r.remaining !== 0) throw new TlError('TRAILING_BYTES', `${r.remaining} bytes after ${obj._}`)
      return obj
    },
    encodeBare: (w, name, obj) => c.BARE_CODECS[name].encode(w, obj, 0),
    decodeBare: (r, name) => c.BARE_CODECS[name].decode(r, 0),
    constructorId(name) {
      const id = c.ID_BY_NAME.get(name)
      if (id === undefined) throw new TlError('UNKNOWN_CONSTRUCTOR', `no constructor named ${name}`)
      return id
    },
    nameOfId: (id) => c.NAME_BY_ID.get(id >>> 0),
  }
}
