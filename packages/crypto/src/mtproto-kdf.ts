/**
 * MTProto message-key derivation: 2.0 (encryption.md §2) and v1, which survives only in
 * the auth.bindTempAuthKey message (encryption.md §7). All inputs here are tiny, so the
 * synchronous hashes are used throughout.
 */
import { concatBytes, expectBlocks, expectBytes, expectUint8Array } from './bytes.ts'
import { sha1Sync, sha256Sync } from './sha-sync.ts'

export interface AesKeyIv {
  /** 32-byte AES-256 key. */
  key: Uint8Array
  /** 32-byte IGE IV (iv1 ‖ iv2). */
  iv: Uint8Array
}

function checkAuthKey(authKey: Uint8Array): void {
  expectBytes('authKey', authKey, 256, 'BAD_KEY_LENGTH')
}

function checkMsgKey(msgKey: Uint8Array): void {
  expectBytes('msgKey', msgKey, 16, 'BAD_LENGTH')
}

/** x = 0 for client→server messages, 8 for server→client. */
export function kdfOffset(fromClient: boolean): number {
  return fromClient ? 0 : 8
}

/** The 32-byte msg_key_large = SHA256(auth_key[88+x:120+x] + plaintext). No validation. */
export function msgKeyLargeSync(authKey: Uint8Array, plaintext: Uint8Array, x: number): Uint8Array {
  return sha256Sync(authKey.subarray(88 + x, 120 + x), plaintext)
}

/** MTProto 2.0 msg_key = msgKeyLarge[8:24]; `plaintext` includes the padding. */
export function msgKeyFor(authKey: Uint8Array, plaintextWithPadding: Uint8Array, fromClient: boolean): Uint8Array {
  checkAuthKey(authKey)
  expectBlocks('plaintextWithPadding', plaintextWithPadding)
  const large = msgKeyLargeSync(authKey, plaintextWithPadding, kdfOffset(fromClient))
  try {
    return large.slice(8, 24)
  } finally {
    large.fill(0)
  }
}

/** MTProto 2.0 KDF without input checks; the caller wipes the result. */
export function kdf2(authKey: Uint8Array, msgKey: Uint8Array, x: number): AesKeyIv {
  const a = sha256Sync(msgKey, authKey.subarray(x, x + 36))
  const b = sha256Sync(authKey.subarray(40 + x, 76 + x), msgKey)
  const key = concatBytes(a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32))
  const iv = concatBytes(b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32))
  a.fill(0)
  b.fill(0)
  return { key, iv }
}

/** MTProto 2.0 aes_key / aes_iv for a message (encryption.md §2). */
export function mtproto2Kdf(authKey: Uint8Array, msgKey: Uint8Array, fromClient: boolean): AesKeyIv {
  checkAuthKey(authKey)
  checkMsgKey(msgKey)
  return kdf2(authKey, msgKey, kdfOffset(fromClient))
}

/** MTProto v1 aes_key / aes_iv (encryption.md §7 step 6). */
export function mtproto1Kdf(authKey: Uint8Array, msgKey: Uint8Array, fromClient: boolean): AesKeyIv {
  checkAuthKey(authKey)
  checkMsgKey(msgKey)
  const x = kdfOffset(fromClient)
  const a = sha1Sync(msgKey, authKey.subarray(x, x + 32))
  const b = sha1Sync(authKey.subarray(32 + x, 48 + x), msgKey, authKey.subarray(48 + x, 64 + x))
  const c = sha1Sync(authKey.subarray(64 + x, 96 + x), msgKey)
  const d = sha1Sync(msgKey, authKey.subarray(96 + x, 128 + x))
  const key = concatBytes(a.subarray(0, 8), b.subarray(8, 20), c.subarray(4, 16))
  const iv = concatBytes(a.subarray(8, 20), b.subarray(0, 8), c.subarray(16, 20), d.subarray(0, 8))
  for (const h of [a, b, c, d]) h.fill(0)
  return { key, iv }
}

/** MTProto v1 msg_key = SHA1(plaintext without padding)[4:20]. */
export function msgKeyV1(plaintextUnpadded: Uint8Array): Uint8Array {
  expectUint8Array('plaintextUnpadded', plaintextUnpadded)
  return sha1Sync(plaintextUnpadded).slice(4, 20)
}

/** auth_key_id = SHA1(auth_key)[12:20], as the 8 wire bytes. */
export function authKeyId(authKey: Uint8Array): Uint8Array {
  checkAuthKey(authKey)
  return sha1Sync(authKey).slice(12, 20)
}

/** auth_key_id as the LE int64 value (unsigned). */
export function authKeyIdBigInt(authKey: Uint8Array): bigint {
  const id = authKeyId(authKey)
  return new DataView(id.buffer).getBigUint64(0, true)
}
