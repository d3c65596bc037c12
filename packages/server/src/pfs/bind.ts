import { deserializeObject, type TlOf } from '@pfs-web/tl'
import { timingSafeEqual } from 'node:crypto'
import { igeDecrypt } from '../primitives/aes-ige.ts'
import { sha1 } from '../primitives/hash.ts'
import { kdfV1 } from '../primitives/kdf.ts'
import type { AuthKey, PermKey } from './key-store.ts'

export type BindError =
  | 'ENCRYPTED_MESSAGE_INVALID'
  | 'TEMP_AUTH_KEY_EMPTY'
  | 'TEMP_AUTH_KEY_ALREADY_BOUND'
  | 'EXPIRES_AT_INVALID'
  | 'INPUT_REQUEST_TOO_LONG'

export interface BindContext {
  /** The key the request arrived under. */
  carrying: AuthKey
  /** session_id and msg_id of the message that carried the call (not its container). */
  sessionId: bigint
  msgId: bigint
  now: number
  slackSeconds: number
  findPerm(id: bigint): PermKey | undefined
}

export type BindOutcome =
  | { ok: true; perm: PermKey; expiresAt: number }
  | { ok: false; error: BindError; reason: string }

/** Our limit for encrypted_message (pfs-and-errors.md §2, INPUT_REQUEST_TOO_LONG). */
const MAX_ENCRYPTED_MESSAGE = 256
/** bind_auth_key_inner is 40 bytes, so the v1 plaintext is 72 bytes, 80 padded. */
const INNER_LENGTH = 40

/**
 * Every server check of auth.bindTempAuthKey (encryption.md §7 "Server verification"),
 * in order. `reason` names the failed check for stats; `error` is what the client sees.
 */
export function verifyBind(req: TlOf<'auth.bindTempAuthKey'>, ctx: BindContext): BindOutcome {
  const fail = (error: BindError, reason: string): BindOutcome => ({ ok: false, error, reason })
  const invalid = (reason: string): BindOutcome => fail('ENCRYPTED_MESSAGE_INVALID', reason)
  const temp = ctx.carrying
  if (temp.kind !== 'temp') return fail('TEMP_AUTH_KEY_EMPTY', 'NOT_A_TEMP_KEY')
  if (temp.boundTo !== null && temp.boundTo !== req.perm_auth_key_id) {
    return fail('TEMP_AUTH_KEY_ALREADY_BOUND', 'BOUND_TO_OTHER_PERM_KEY')
  }
  const em = Buffer.from(req.encrypted_message)
  if (em.length > MAX_ENCRYPTED_MESSAGE) return fail('INPUT_REQUEST_TOO_LONG', 'ENCRYPTED_MESSAGE_TOO_LONG')
  if (em.length < 24 + 16 || (em.length - 24) % 16 !== 0) return invalid('LAYOUT')
  if (em.readBigInt64LE(0) !== req.perm_auth_key_id) return invalid('PERM_KEY_ID_MISMATCH')
  const perm = ctx.findPerm(req.perm_auth_key_id)
  if (perm === undefined) return invalid('UNKNOWN_PERM_KEY')

  const msgKey = em.subarray(8, 24)
  const { key, iv } = kdfV1(perm.key, msgKey, 0)
  const plain = igeDecrypt(em.subarray(24), key, iv)
  const length = plain.readUInt32LE(28)
  if (length !== INNER_LENGTH || plain.length !== Math.ceil((32 + length) / 16) * 16) return invalid('LENGTH')
  if (!timingSafeEqual(sha1(plain.subarray(0, 32 + length)).subarray(4, 20), msgKey)) return invalid('MSG_KEY_MISMATCH')
  if (plain.readBigInt64LE(16) !== ctx.msgId) return invalid('MSG_ID_MISMATCH')
  if (plain.readInt32LE(24) !== 0) return invalid('SEQNO_NOT_ZERO')

  let inner
  try {
    inner = deserializeObject(plain.subarray(32, 32 + length))
  } catch {
    return invalid('INNER_UNPARSABLE')
  }
  if (inner._ !== 'bind_auth_key_inner') return invalid('INNER_CONSTRUCTOR')
  if (inner.nonce !== req.nonce) return invalid('NONCE_MISMATCH')
  if (inner.temp_auth_key_id !== temp.id) return invalid('TEMP_KEY_ID_MISMATCH')
  if (inner.perm_auth_key_id !== req.perm_auth_key_id) return invalid('INNER_PERM_KEY_ID_MISMATCH')
  if (inner.temp_session_id !== ctx.sessionId) return invalid('TEMP_SESSION_ID_MISMATCH')
  if (inner.expires_at !== req.expires_at) return invalid('EXPIRES_AT_MISMATCH')

  if (req.expires_at <= ctx.now) return fail('EXPIRES_AT_INVALID', 'EXPIRES_AT_PAST')
  if (req.expires_at > temp.createdAt + temp.expiresIn + ctx.slackSeconds) {
    return fail('EXPIRES_AT_INVALID', 'EXPIRES_AT_BEYOND_KEY')
  }
  return { ok: true, perm, expiresAt: req.expires_at }
}
