import { sha1, sha256 } from './hash.ts'

export interface AesKeyIv {
  key: Buffer
  iv: Buffer
}

/** x = 0 for client→server, 8 for server→client (encryption.md §2). */
export type Direction = 0 | 8

/** MTProto 2.0 msg_key = SHA256(auth_key[88+x:120+x] + plaintext)[8:24]. */
export function msgKeyV2(authKey: Uint8Array, plaintext: Uint8Array, x: Direction): Buffer {
  return sha256(authKey.subarray(88 + x, 120 + x), plaintext).subarray(8, 24)
}

export function kdfV2(authKey: Uint8Array, msgKey: Uint8Array, x: Direction): AesKeyIv {
  const a = sha256(msgKey, authKey.subarray(x, x + 36))
  const b = sha256(authKey.subarray(40 + x, 76 + x), msgKey)
  return {
    key: Buffer.concat([a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32)]),
    iv: Buffer.concat([b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32)]),
  }
}

/** MTProto v1 KDF, used only by the bind message (encryption.md §7 step 6). */
export function kdfV1(authKey: Uint8Array, msgKey: Uint8Array, x: Direction): AesKeyIv {
  const a = sha1(msgKey, authKey.subarray(x, x + 32))
  const b = sha1(authKey.subarray(32 + x, 48 + x), msgKey, authKey.subarray(48 + x, 64 + x))
  const c = sha1(authKey.subarray(64 + x, 96 + x), msgKey)
  const d = sha1(msgKey, authKey.subarray(96 + x, 128 + x))
  return {
    key: Buffer.concat([a.subarray(0, 8), b.subarray(8, 20), c.subarray(4, 16)]),
    iv: Buffer.concat([a.subarray(8, 20), b.subarray(0, 8), c.subarray(16, 20), d.subarray(0, 8)]),
  }
}

/** tmp_aes_key/iv of the DH stage (auth-key.md step 6). */
export function handshakeAesKeyIv(newNonce: Uint8Array, serverNonce: Uint8Array): AesKeyIv {
  const ns = sha1(newNonce, serverNonce)
  const sn = sha1(serverNonce, newNonce)
  const nn = sha1(newNonce, newNonce)
  return {
    key: Buffer.concat([ns, sn.subarray(0, 12)]),
    iv: Buffer.concat([sn.subarray(12, 20), nn, newNonce.subarray(0, 4)]),
  }
}

/** auth_key_id = SHA1(auth_key)[12:20] as a LE int64; aux hash = SHA1(auth_key)[0:8]. */
export function authKeyIds(authKey: Uint8Array): { id: bigint; auxHash: Buffer } {
  const h = sha1(authKey)
  return { id: h.readBigInt64LE(12), auxHash: h.subarray(0, 8) }
}

/** new_nonce_hashN = SHA1(new_nonce + byte(N) + aux_hash)[4:20]. */
export function newNonceHash(newNonce: Uint8Array, n: 1 | 2 | 3, auxHash: Uint8Array): Buffer {
  return sha1(newNonce, Uint8Array.of(n), auxHash).subarray(4, 20)
}
