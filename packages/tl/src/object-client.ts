/**
 * Whole-object entry points over the client's codecs (generated/codecs-client.ts): what a
 * client receives decodes, what it sends encodes, and nothing else ships in the worker.
 */
import * as generated from './generated/codecs-client.ts'
import { objectCodec } from './object-codec.ts'

export const { encodeObject, decodeObject, serializeObject, deserializeObject, encodeBare, decodeBare, constructorId, nameOfId } =
  /* @__PURE__ */ objectCodec(generated)
