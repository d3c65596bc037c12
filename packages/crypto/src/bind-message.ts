/**
 * The encrypted_message of auth.bindTempAuthKey: MTProto v1 under the perm key
 * (encryption.md §7 steps 4–7).
 */
import { igeEncryptWith } from './aes-ige.ts'
import { expandEncKey } from './aes-core.ts'
import { concatBytes, expectBytes } from './bytes.ts'
import { CryptoError } from './errors.ts'
import { authKeyId, msgKeyV1, mtproto1Kdf } from './mtproto-kdf.ts'

export const BIND_PLAINTEXT_BYTES = 72
export const BIND_ENCRYPTED_BYTES = 104

/**
 * `plaintext72`: 16 random bytes ‖ msg_id M ‖ seq_no 0 ‖ length 40 ‖ bind_auth_key_inner.
 * `random(n)` supplies the 8 padding bytes. Returns perm_auth_key_id ‖ msg_key ‖ 80
 * encrypted bytes (104 in all).
 */
export function encryptBindMessageV1(
  permAuthKey: Uint8Array,
  plaintext72: Uint8Array,
  random: (n: number) => Uint8Array,
): Uint8Array {
  expectBytes('permAuthKey', permAuthKey, 256, 'BAD_KEY_LENGTH')
  expectBytes('plaintext72', plaintext72, BIND_PLAINTEXT_BYTES)
  const padLength = (16 - (plaintext72.length % 16)) % 16
  const padding = random(padLength)
  if (!(padding instanceof Uint8Array) || padding.length !== padLength) {
    throw new CryptoError('BAD_LENGTH', `random: expected ${padLength} bytes`)
  }
  const msgKey = msgKeyV1(plaintext72)
  const { key, iv } = mtproto1Kdf(permAuthKey, msgKey, true)
  const padded = concatBytes(plaintext72, padding)
  const rk = expandEncKey(key)
  try {
    return concatBytes(authKeyId(permAuthKey), msgKey, igeEncryptWith(rk, iv, padded))
  } finally {
    for (const t of [key, iv, padded, padding, rk]) t.fill(0)
  }
}
