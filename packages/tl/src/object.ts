/** Whole-object entry points over the full generated codecs (the server, tools, tests). */
import * as generated from './generated/codecs.ts'
import { objectCodec } from './object-codec.ts'

export type { TlBareName, TlOf } from './object-codec.ts'

export const { encodeObject, decodeObject, serializeObject, deserializeObject, encodeBare, decodeBare, constructorId, nameOfId } =
  /* @__PURE__ */ objectCodec(generated)
