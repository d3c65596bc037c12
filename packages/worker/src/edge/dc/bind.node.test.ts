/**
 * The bind body as the conformance server verifies it (its own node:crypto checks, not our
 * crypto): encryption.md §7 — the v1-encrypted bind_auth_key_inner must carry the msg_id of
 * the very message that sends it, the temp key's session, and the outer nonce and expires_at.
 */
import { nodeMtproto } from '@pfs-web/server'
import { deserializeObject, type TlOf } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../../keys/key-store.ts'
import { bindRequest } from './bind.ts'

const NOW = 1_700_000_000
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))

function setup() {
  const keys = new KeyStore()
  const permBytes = random(256)
  const tempBytes = random(256)
  const perm = keys.add(2, 'perm', permBytes.slice(), 0, null)
  const temp = keys.add(2, 'temp', tempBytes.slice(), 0, NOW + 3_600)
  const serverPerm = { kind: 'perm', id: perm.id, key: Buffer.from(permBytes) }
  const serverTemp = { kind: 'temp', id: temp.id, key: Buffer.from(tempBytes), createdAt: NOW, expiresIn: 3_600, expiresAt: NOW + 3_600, boundTo: null }
  const ctx = (msgId: bigint, sessionId: bigint) =>
    ({
      carrying: serverTemp,
      sessionId,
      msgId,
      now: NOW,
      slackSeconds: 30,
      findPerm: (id: bigint) => (id === perm.id ? serverPerm : undefined),
    }) as unknown as nodeMtproto.BindContext
  return { keys, perm, temp, ctx }
}

const parse = (body: Uint8Array) => deserializeObject(body) as TlOf<'auth.bindTempAuthKey'>

describe('bindRequest', () => {
  it('encryption.md §7: the server accepts the bind sent in the message whose msg_id it embeds', () => {
    const { keys, perm, temp, ctx } = setup()
    const session = 0x1234_5678_9abcn
    const build = bindRequest({ keys, perm, temp, tempSessionId: session, expiresAt: NOW + 3_000, random })
    const msgId = (BigInt(NOW) << 32n) | 4n
    const req = parse(build(msgId))
    expect(req.perm_auth_key_id).toBe(perm.id)
    expect(req.expires_at).toBe(NOW + 3_000)
    expect(nodeMtproto.verifyBind(req, ctx(msgId, session))).toMatchObject({ ok: true, expiresAt: NOW + 3_000 })
  })

  it('a body built for one msg_id fails the server\'s check when carried by another', () => {
    const { keys, perm, temp, ctx } = setup()
    const build = bindRequest({ keys, perm, temp, tempSessionId: 5n, expiresAt: NOW + 3_000, random })
    const msgId = (BigInt(NOW) << 32n) | 4n
    const req = parse(build(msgId))
    expect(nodeMtproto.verifyBind(req, ctx(msgId + 4n, 5n))).toMatchObject({ ok: false, error: 'ENCRYPTED_MESSAGE_INVALID', reason: 'MSG_ID_MISMATCH' })
  })

  it('the inner names the temp key\'s session: another session is refused', () => {
    const { keys, perm, temp, ctx } = setup()
    const build = bindRequest({ keys, perm, temp, tempSessionId: 5n, expiresAt: NOW + 3_000, random })
    const msgId = (BigInt(NOW) << 32n) | 8n
    expect(nodeMtproto.verifyBind(parse(build(msgId)), ctx(msgId, 6n))).toMatchObject({ ok: false, reason: 'TEMP_SESSION_ID_MISMATCH' })
  })

  it('a resend under a new msg_id builds a body the server accepts for that msg_id', () => {
    const { keys, perm, temp, ctx } = setup()
    const build = bindRequest({ keys, perm, temp, tempSessionId: 5n, expiresAt: NOW + 3_000, random })
    const first = (BigInt(NOW) << 32n) | 4n
    const second = first + 8n
    build(first)
    expect(nodeMtproto.verifyBind(parse(build(second)), ctx(second, 5n))).toMatchObject({ ok: true })
  })
})
