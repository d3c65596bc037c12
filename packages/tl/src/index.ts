export { TlError, MAX_DEPTH } from './errors.ts'
export type { TlErrorCode } from './errors.ts'
export { TlReader } from './reader.ts'
export { TlWriter, MAX_BYTES_LENGTH } from './writer.ts'
export { VECTOR_ID, readVector } from './codec-runtime.ts'
export {
  encodeObject,
  decodeObject,
  serializeObject,
  deserializeObject,
  encodeBare,
  decodeBare,
  constructorId,
  nameOfId,
} from './object.ts'
export type { TlOf, TlBareName } from './object.ts'
export { gzipPack, gzipUnpack, GZIP_MAX_BYTES_DEFAULT, GZIP_BUDGET_BYTES_DEFAULT, InflateBudget } from './gzip.ts'
export { TL_LAYER, TL_SCHEMA } from './generated/schema.ts'
export type { TlEntryMeta, TlParamMeta, TlTypeRef } from './schema-meta.ts'
export type {
  TlObject,
  TlRaw,
  TlKnown,
  TlName,
  TlConstructors,
  TlMethods,
  TlTypes,
  TlBareTypes,
  TlMethodResults,
} from './generated/types.ts'
