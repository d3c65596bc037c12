import { RpcError } from '@pfs-web/errors'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientHandshake, type ClientAuthKey } from './test-support/client-handshake.ts'
import { ClientSession, type BindTamper } from './test-support/client-session.ts'
import { ClientTransport } from './test-support/client-transport.ts'
import { startTestServer, tcp } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server
let perm: ClientAuthKey
let otherPerm: ClientAuthKey

beforeAll(async () => {
  server = await startTestServer()
  const t = await ClientTransport.open(tcp(server))
  perm = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2 })
  otherPerm = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2 })
  t.close()
})
afterAll(() => server.dispose())

async function tempSession(): Promise<ClientSession> {
  const t = await ClientTransport.open(tcp(server))
  const temp = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2, expiresIn: 3600 })
  return new ClientSession(t, temp)
}

async function bindError(session: ClientSession, by: ClientAuthKey, tamper: BindTamper): Promise<RpcError> {
  const err = await session.bind(by, tamper).then(
    () => null,
    (e: unknown) => e,
  )
  if (!(err instanceof RpcError)) throw new Error(`expected an rpc_error, got ${String(err)}`)
  return err
}

describe('auth.bindTempAuthKey server checks (encryption.md §7 "Server verification")', () => {
  const now = (): number => Math.floor(Date.now() / 1000)
  it.each([
    { rule: '§7.6 inner nonce ≠ parameter nonce', tamper: { innerNonce: 5n }, error: 'ENCRYPTED_MESSAGE_INVALID', reason: 'NONCE_MISMATCH' },
    { rule: '§7.6 temp_session_id ≠ carrying session', tamper: { tempSessionId: 77n }, error: 'ENCRYPTED_MESSAGE_INVALID', reason: 'TEMP_SESSION_ID_MISMATCH' },
    { rule: '§7.6 temp_auth_key_id ≠ carrying key', tamper: { tempKeyId: 99n }, error: 'ENCRYPTED_MESSAGE_INVALID', reason: 'TEMP_KEY_ID_MISMATCH' },
    { rule: '§7.5 inner msg_id ≠ outer msg_id', tamper: { innerMsgId: 4n }, error: 'ENCRYPTED_MESSAGE_INVALID', reason: 'MSG_ID_MISMATCH' },
    { rule: '§7.4 garbage ciphertext', tamper: { garbage: true }, error: 'ENCRYPTED_MESSAGE_INVALID', reason: 'LENGTH' },
    { rule: '§7.7 expires_at in the past', tamper: { expiresAt: now() - 10 }, error: 'EXPIRES_AT_INVALID', reason: 'EXPIRES_AT_PAST' },
    { rule: '§7.7 expires_at beyond key expiry + slack', tamper: { expiresAt: now() + 3600 + 7200 }, error: 'EXPIRES_AT_INVALID', reason: 'EXPIRES_AT_BEYOND_KEY' },
  ])('$rule → $error ($reason)', async ({ tamper, error, reason }) => {
    const session = await tempSession()
    const before = server.stats().binds.failedReasons[reason] ?? 0
    const err = await bindError(session, perm, tamper)
    expect(err.code).toBe(400)
    expect(err.message).toBe(error)
    expect(server.stats().binds.failedReasons[reason]).toBe(before + 1)
    session.close()
  })

  it('§7.2 a temp key bound to another perm key → TEMP_AUTH_KEY_ALREADY_BOUND; same perm key again → boolTrue', async () => {
    const session = await tempSession()
    expect((await session.bind(perm))._).toBe('boolTrue')
    expect((await bindError(session, otherPerm, {})).message).toBe('TEMP_AUTH_KEY_ALREADY_BOUND')
    expect((await session.bind(perm))._).toBe('boolTrue')
    session.close()
  })

  it('§7.1 a bind sent under a perm key → TEMP_AUTH_KEY_EMPTY', async () => {
    const t = await ClientTransport.open(tcp(server))
    const session = new ClientSession(t, perm)
    expect((await bindError(session, perm, {})).message).toBe('TEMP_AUTH_KEY_EMPTY')
    t.close()
  })

  it('pfs §1.3 an unbound temp key may call help.getConfig but not updates.getState (AUTH_KEY_PERM_EMPTY)', async () => {
    const session = await tempSession()
    expect((await session.call({ _: 'help.getConfig' }))._).toBe('config')
    const err = await session.call({ _: 'updates.getState' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RpcError)
    expect((err as RpcError).code).toBe(401)
    expect((err as RpcError).message).toBe('AUTH_KEY_PERM_EMPTY')
    session.close()
  })

  it('pfs §1.5 the first call after a bind without initConnection → CONNECTION_NOT_INITED', async () => {
    const session = await tempSession()
    await session.bind(perm)
    const err = await session.call({ _: 'updates.getState' }).catch((e: unknown) => e)
    expect((err as RpcError).message).toBe('CONNECTION_NOT_INITED')
    expect((await session.api({ _: 'updates.getState' }))._).toBe('updates.state')
    session.close()
  })

  it('strict PFS: an API call under a perm key is counted as a violation', async () => {
    const t = await ClientTransport.open(tcp(server))
    const session = new ClientSession(t, perm)
    const before = server.stats().violations.count
    await session.api({ _: 'help.getNearestDc' })
    const after = server.stats().violations
    expect(after.count).toBe(before + 1)
    expect(after.recent.at(-1)).toMatchObject({ keyId: perm.id.toString(), method: 'help.getNearestDc' })
    t.close()
  })

  it('pfs §1.6 in practice: a new bind leaves the previous temp key of that perm key bound', async () => {
    const first = await tempSession()
    await first.bind(perm)
    await first.api({ _: 'help.getConfig' })
    const second = await tempSession()
    await second.bind(perm)
    expect((await second.api({ _: 'help.getConfig' }))._).toBe('config')
    expect((await first.call({ _: 'help.getConfig' }))._).toBe('config')
    first.close()
    second.close()
  })

  it("binding-mode 'replace' (the documented rule): a new bind drops the previous temp key, which then gets -404", async () => {
    await server.faults.apply({ type: 'binding-mode', mode: 'replace' })
    try {
      const first = await tempSession()
      await first.bind(perm)
      await first.api({ _: 'help.getConfig' })
      const second = await tempSession()
      await second.bind(perm)
      await expect(first.call({ _: 'help.getConfig' })).rejects.toMatchObject({ code: -404 })
      expect((await second.api({ _: 'help.getConfig' }))._).toBe('config')
      first.close()
      second.close()
    } finally {
      await server.faults.apply({ type: 'clear' })
    }
    expect(server.faults.state().bindingMode).toBe('many')
  })
})
