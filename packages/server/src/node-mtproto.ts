/**
 * The server's MTProto primitives, all on node:crypto, for other Node-side players of the
 * server's part: the fuzzer's malicious server (packages/fuzz) seals, opens and answers
 * handshakes with these, never with @pfs-web/crypto, the implementation it tests.
 */
export { igeDecrypt, igeEncrypt } from './primitives/aes-ige.ts'
export { bigFromBytes, bigToBytes, longFromBytes, longToBytes, xorBytes } from './primitives/bytes.ts'
export { DH_G, DH_PRIME, dhGenerate, dhSharedKey, dhValueInRange } from './primitives/dh.ts'
export type { DhSecret } from './primitives/dh.ts'
export { sha1, sha256 } from './primitives/hash.ts'
export { authKeyIds, handshakeAesKeyIv, kdfV2, msgKeyV2, newNonceHash } from './primitives/kdf.ts'
export type { AesKeyIv, Direction } from './primitives/kdf.ts'
export { rsaFingerprint, rsaPadDecrypt } from './primitives/rsa-key.ts'
export type { ServerRsaKey } from './primitives/rsa-key.ts'
export { openPacket, openPlain, sealPacket, sealPlain } from './session/envelope.ts'
export type { PlainMessage } from './session/envelope.ts'
export { acceptObfuscated } from './transport/obfuscation.ts'
export { buildConfig } from './api/config.ts'
export { verifyBind } from './pfs/bind.ts'
export type { BindContext, BindOutcome } from './pfs/bind.ts'
