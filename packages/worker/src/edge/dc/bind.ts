/**
 * The auth.bindTempAuthKey request (encryption.md §7, pfs §1.4): the inner
 * bind_auth_key_inner is v1-encrypted under the perm key and carries the msg_id of the
 * very message that sends it, so the body is built once that msg_id is known.
 */
import { encryptBindMessageV1 } from '@pfs-web/crypto'
import { serializeObject } from '@pfs-web/tl/client'
import type { KeyHandle, KeyStore } from '../../keys/key-store.ts'
import { randomLong } from './mt-session.ts'

export interface BindParams {
  keys: KeyStore
  perm: KeyHandle
  temp: KeyHandle
  tempSessionId: bigint
  /** Server unixtime (pfs §2 EXPIRES_AT_INVALID: server time, not local). */
  expiresAt: number
  random: (n: number) => Uint8Array
}

/** Returns the body builder for Lane.send: msg_id M → boxed auth.bindTempAuthKey. */
export function bindRequest(p: BindParams): (msgId: bigint) => Uint8Array {
  const nonce = randomLong(p.random)
  return (msgId) => {
    const inner = serializeObject({
      _: 'bind_auth_key_inner',
      nonce,
      temp_auth_key_id: p.temp.id,
      perm_auth_key_id: p.perm.id,
      temp_session_id: p.tempSessionId,
      expires_at: p.expiresAt,
    })
    // 16 random bytes stand where salt + session_id go; then M, seq_no 0, length (§7 step 3).
    const plain = new Uint8Array(32 + inner.length)
    plain.set(p.random(16), 0)
    const view = new DataView(plain.buffer)
    view.setBigInt64(16, msgId, true)
    view.setInt32(24, 0, true)
    view.setInt32(28, inner.length, true)
    plain.set(inner, 32)
    try {
      const encrypted = p.keys.use(p.perm, (permKey) => encryptBindMessageV1(permKey, plain, p.random))
      return serializeObject({
        _: 'auth.bindTempAuthKey',
        perm_auth_key_id: p.perm.id,
        nonce,
        expires_at: p.expiresAt,
        encrypted_message: encrypted,
      })
    } finally {
      plain.fill(0)
    }
  }
}
