/**
 * The shape of the schema metadata the generator writes to generated/schema.ts: the
 * parsed form of each declaration, kept so tests can build values for every
 * constructor and re-check every id without re-parsing the .tl file.
 */
export type TlBaseKind = 'int' | 'long' | 'double' | 'int128' | 'int256' | 'bytes' | 'string'

export type TlTypeRef =
  | { k: TlBaseKind | 'nat' | 'true' | 'Bool' | 'Object' }
  | { k: 'vector'; boxed: boolean; of: TlTypeRef }
  | { k: 'boxed'; type: string }
  | { k: 'bare'; ctor: string }

export interface TlParamMeta {
  name: string
  type: TlTypeRef
  /** Present for `name:flags.N?Type`: the flags word and the bit. */
  flag?: { word: string; bit: number }
}

export interface TlEntryMeta {
  name: string
  id: number
  kind: 'constructor' | 'method'
  /** The result type (`= Type`). */
  type: string
  params: TlParamMeta[]
  /** The declaration as written in schema/pfs.tl. */
  line: string
  /** Declared without #id: only ever serialized bare (message, rsa_public_key). */
  bareOnly: boolean
}
