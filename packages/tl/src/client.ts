/**
 * `@pfs-web/tl/client`: the same API as the package root, over the client's codecs. A
 * client never decodes what only clients send nor encodes what only servers send
 * (scripts/client-profile.ts), so the worker imports this entry and ships less.
 */
export * from './index.ts'
export {
  encodeObject,
  decodeObject,
  serializeObject,
  deserializeObject,
  encodeBare,
  decodeBare,
  constructorId,
  nameOfId,
} from './object-client.ts'
