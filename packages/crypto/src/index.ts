export { CryptoError, SecurityError } from './errors.ts'
export { aesIgeDecrypt, aesIgeDecryptSync, aesIgeEncrypt, aesIgeEncryptSync } from './aes-ige.ts'
export { randomBytes, sha1, sha256 } from './hash.ts'
export { sha1Sync, sha256Sync } from './sha-sync.ts'
