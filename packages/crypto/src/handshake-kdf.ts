/** Key material of the DH handshake (auth-key.md steps 6, 8 and 10). */
import { concatBytes, expectBytes } from './bytes.ts'
import { CryptoError } from './errors.ts'
import type { AesKeyIv } from './mtproto-kdf.ts'
import { sha1Sync } from './sha-sync.ts'

/** tmp_aes_key / tmp_aes_iv from new_nonce (32 bytes) and server_nonce (16 bytes). */
export function tmpAesKeyIv(newNonce: Uint8Array, serverNonce: Uint8Array): AesKeyIv {
  expectBytes('newNonce', newNonce, 32)
  expectBytes('serverNonce', serverNonce, 16)
  const ns = sha1Sync(newNonce, serverNonce)
  const sn = sha1Sync(serverNonce, newNonce)
  const nn = sha1Sync(newNonce, newNonce)
  try {
    return {
      key: concatBytes(ns, sn.subarray(0, 12)),
      iv: concatBytes(sn.subarray(12, 20), nn, newNonce.subarray(0, 4)),
    }
  } finally {
    for (const h of [ns, sn, nn]) h.fill(0)
  }
}

/** auth_key_aux_hash = SHA1(auth_key)[0:8]; also the retry_id after dh_gen_retry. */
export function authKeyAuxHash(authKey: Uint8Array): Uint8Array {
  expectBytes('authKey', authKey, 256, 'BAD_KEY_LENGTH')
  return sha1Sync(authKey).slice(0, 8)
}

/** new_nonce_hashN = SHA1(new_nonce + byte(N) + auth_key_aux_hash)[4:20], N = 1 ok, 2 retry, 3 fail. */
export function newNonceHash(newNonce: Uint8Array, n: 1 | 2 | 3, authKeyAuxHash: Uint8Array): Uint8Array {
  expectBytes('newNonce', newNonce, 32)
  expectBytes('authKeyAuxHash', authKeyAuxHash, 8)
  if (n !== 1 && n !== 2 && n !== 3) throw new CryptoError('BAD_INPUT', 'n: expected 1, 2 or 3')
  return sha1Sync(newNonce, Uint8Array.of(n), authKeyAuxHash).slice(4, 20)
}

/** The first server_salt: new_nonce[0:8] XOR server_nonce[0:8], as the 8 wire bytes (LE int64). */
export function initialServerSalt(newNonce: Uint8Array, serverNonce: Uint8Array): Uint8Array {
  expectBytes('newNonce', newNonce, 32)
  expectBytes('serverNonce', serverNonce, 16)
  const salt = new Uint8Array(8)
  for (let i = 0; i < 8; i++) salt[i] = (newNonce[i] as number) ^ (serverNonce[i] as number)
  return salt
}
