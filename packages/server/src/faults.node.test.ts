import { RpcError } from '@pfs-web/errors'
import { deserializeObject, serializeObject, type TlObject } from '@pfs-web/tl'
import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ControlClient, ControlError } from '@pfs-web/control-client'
import { openPlain, sealPlain } from './session/envelope.ts'
import { clientHandshake, clientMsgId, HandshakeRejected } from './test-support/client-handshake.ts'
import { ClientSession } from './test-support/client-session.ts'
import { ClientTransport, transportErrorOf } from './test-support/client-transport.ts'
import { connectPfs } from './test-support/pfs-client.ts'
import { startTestServer, tcp } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server
let control: ControlClient

beforeAll(async () => {
  server = await startTestServer({ exposeKeyBytes: true })
  control = new ControlClient(`http://${server.host}:${server.controlPort}`)
})
afterEach(() => control.fault({ type: 'clear' }))
afterAll(() => server.dispose())

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('control port', () => {
  it('serves the PKCS#1 public key and /info with the fingerprint the handshake uses', async () => {
    expect(await control.rsaPem()).toContain('BEGIN RSA PUBLIC KEY')
    const info = await control.info()
    expect(info.fingerprint).toBe(server.fingerprint.toString())
    expect(info.wsUrl).toBe(`ws://127.0.0.1:${server.wsPort}/apiws`)
  })

  it('rejects an unknown fault with a coded error', async () => {
    await expect(control.fault({ type: 'nope' } as never)).rejects.toMatchObject({ code: 'BAD_FAULT' })
  })

  it('exposes temp key bytes only for tests, matching what the client derived', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    expect(await control.tempKeyHex(c.temp.id.toString())).toBe(c.temp.key.toString('hex'))
    c.close()
  })

  it('answers a forgotten temp key as null, and a refusal as the ControlError the server threw', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await control.fault({ type: 'forget-temp-key', keyId: c.temp.id.toString() })
    expect(await control.tempKeyHex(c.temp.id.toString())).toBeNull()
    const refused: unknown = await control.fault({ type: 'latency', ms: -1 }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ControlError)
    expect(refused).toMatchObject({ code: 'BAD_FAULT' })
    c.close()
  })
})

describe('faults (issue #4 "Fault injection")', () => {
  it('forget-temp-key now → the next message gets -404', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await control.fault({ type: 'forget-temp-key', keyId: c.temp.id.toString() })
    await expect(c.session.api({ _: 'help.getConfig' })).rejects.toMatchObject({ code: -404 })
    c.close()
  })

  it('latency: packets are handled at least that long after they arrive, in order; clearing it takes effect', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await control.fault({ type: 'latency', ms: 80 })
    const t0 = performance.now()
    const answers = await Promise.all(Array.from({ length: 5 }, () => c.session.api({ _: 'help.getNearestDc' })))
    const took = performance.now() - t0
    expect(answers.map((a) => a._)).toEqual(Array(5).fill('nearestDc'))
    // a lower bound only: how much longer a loaded machine takes is not the server's rule
    expect(took).toBeGreaterThanOrEqual(80)
    expect((await control.fault({ type: 'latency', ms: 0 })).latencyMs).toBe(0)
    expect((await c.session.api({ _: 'help.getNearestDc' }))._).toBe('nearestDc')
    c.close()
  })

  it('unbind-temp-key → the key still decrypts, but API calls get 401 AUTH_KEY_PERM_EMPTY until it is bound again', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    expect((await c.session.api({ _: 'help.getConfig' }))._).toBe('config')
    await control.fault({ type: 'unbind-temp-key', keyId: c.temp.id.toString() })
    await expect(c.session.call({ _: 'updates.getState' })).rejects.toMatchObject({ code: 401, message: 'AUTH_KEY_PERM_EMPTY' })
    await c.session.bind(c.perm)
    expect((await c.session.api({ _: 'updates.getState' }))._).toBe('updates.state')
    c.close()
  })

  it('forget-temp-key after N seconds → usable until then, -404 after', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await control.fault({ type: 'forget-temp-key', keyId: c.temp.id.toString(), afterSeconds: 0.3 })
    expect((await c.session.api({ _: 'help.getConfig' }))._).toBe('config')
    await sleep(400)
    await expect(c.session.call({ _: 'help.getConfig' })).rejects.toMatchObject({ code: -404 })
    c.close()
  })

  it('forget-perm-key → a new temp key cannot bind (ENCRYPTED_MESSAGE_INVALID)', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await control.fault({ type: 'forget-perm-key', keyId: c.perm.id.toString() })
    const t = await ClientTransport.open(tcp(server))
    const temp = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2, expiresIn: 600 })
    const err = await new ClientSession(t, temp).bind(c.perm).catch((e: unknown) => e)
    expect((err as RpcError).message).toBe('ENCRYPTED_MESSAGE_INVALID')
    t.close()
    c.close()
  })

  it('bind-error answers the next bind with the chosen error', async () => {
    await control.fault({ type: 'bind-error', error: 'TEMP_AUTH_KEY_EMPTY' })
    const err = await connectPfs(tcp(server), server.rsaPublicKeyPem).catch((e: unknown) => e)
    expect((err as RpcError).message).toBe('TEMP_AUTH_KEY_EMPTY')
  })

  it('flood-wait answers the chosen method’s next calls with 420 FLOOD_WAIT_X, other methods and later calls as usual', async () => {
    await control.fault([{ type: 'flood-wait', method: 'help.getNearestDc', seconds: 7, count: 2 }, { type: 'flood-wait', method: 'help.getConfig', seconds: 3, premium: true }])
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await expect(c.session.api({ _: 'updates.getState' })).resolves.toMatchObject({ _: 'updates.state' })
    await expect(c.session.call({ _: 'help.getNearestDc' })).rejects.toMatchObject({ code: 420, message: 'FLOOD_WAIT_7' })
    await expect(c.session.call({ _: 'help.getConfig' })).rejects.toMatchObject({ code: 420, message: 'FLOOD_PREMIUM_WAIT_3' })
    await expect(c.session.call({ _: 'help.getNearestDc' })).rejects.toMatchObject({ code: 420, message: 'FLOOD_WAIT_7' })
    await expect(c.session.call({ _: 'help.getNearestDc' })).resolves.toMatchObject({ _: 'nearestDc' })
    const refused: unknown = await control.fault({ type: 'flood-wait', method: 'help.getConfig', seconds: 1.5 }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'BAD_FAULT' })
    c.close()
  })

  it('drop-connection after req_DH_params closes the connection without an answer', async () => {
    await control.fault({ type: 'drop-connection', after: 'req_DH_params' })
    const t = await ClientTransport.open(tcp(server))
    await expect(clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2 })).rejects.toBeInstanceOf(HandshakeRejected)
    expect(t.closed).toBe(true)
  })

  it('auth-key.md step 5: after one failed step, every later step of that handshake gets -404', async () => {
    const t = await ClientTransport.open(tcp(server))
    const step = async (body: TlObject): Promise<Buffer> => {
      t.send(sealPlain(clientMsgId(), serializeObject(body)))
      return (await t.receive())!
    }
    const nonce = randomBytes(16)
    const resPq = deserializeObject(openPlain(await step({ _: 'req_pq_multi', nonce })).body)
    if (resPq._ !== 'resPQ') throw new Error('no resPQ')
    const bad = await step({
      _: 'req_DH_params',
      nonce,
      server_nonce: resPq.server_nonce,
      p: Uint8Array.of(1),
      q: resPq.pq,
      public_key_fingerprint: server.fingerprint,
      encrypted_data: randomBytes(256),
    })
    expect(transportErrorOf(bad)).toBe(-404)
    expect(transportErrorOf(await step({ _: 'req_pq_multi', nonce }))).toBe(-404)
    expect(server.stats().handshakes.failed).toMatchObject({ PQ_MISMATCH: 1, HANDSHAKE_FAILED_BEFORE: 1 })
    t.close()
  })

  it('drop-connection mid-bind: the bind is applied, no answer; a retried bind gets boolTrue', async () => {
    const t = await ClientTransport.open(tcp(server))
    const perm = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2 })
    const temp = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2, expiresIn: 600 })
    await control.fault({ type: 'drop-connection', after: 'bind' })
    await expect(new ClientSession(t, temp).bind(perm)).rejects.toMatchObject({ code: 'CLOSED' })
    expect(server.stats().keys.find((k) => k.id === temp.id.toString())?.boundTo).toBe(perm.id.toString())
    const retry = new ClientSession(await ClientTransport.open(tcp(server)), temp)
    expect((await retry.bind(perm))._).toBe('boolTrue')
    retry.close()
  })

  it('delay-handshake delays every handshake answer', async () => {
    await control.fault({ type: 'delay-handshake', ms: 150 })
    const t = await ClientTransport.open(tcp(server))
    const started = performance.now()
    await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2 })
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 150)
    t.close()
  })

  it('dh-gen fail → the handshake ends with dh_gen_fail and no key is stored', async () => {
    await control.fault({ type: 'dh-gen', answer: 'fail' })
    const keys = server.stats().keys.length
    const t = await ClientTransport.open(tcp(server))
    await expect(clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2 })).rejects.toThrow('dh_gen_fail')
    expect(server.stats().keys.length).toBe(keys)
    t.close()
  })

  it('ping_delay_disconnect closes the connection after the delay', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    c.session.send({ body: { _: 'ping_delay_disconnect', ping_id: 1n, disconnect_delay: 1 } })
    await sleep(300)
    expect(c.session.events.some((e) => e._ === 'pong')).toBe(true)
    expect(c.session.transport.closed).toBe(false)
    await sleep(1000)
    expect(c.session.transport.closed).toBe(true)
  })

  it('dc outside 1..5 → -444', async () => {
    const t = await ClientTransport.open(tcp(server))
    const err = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 9 }).catch((e: unknown) => e)
    expect((err as HandshakeRejected).code).toBe(-444)
    t.close()
  })

  it('dh-gen retry → the client retries with retry_id = aux hash and gets a key', async () => {
    await control.fault({ type: 'dh-gen', answer: 'retry' })
    const t = await ClientTransport.open(tcp(server))
    const key = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2 })
    expect(server.stats().keys.some((k) => k.id === key.id.toString())).toBe(true)
    t.close()
  })

  it('storm-404 and flood-429 answer every encrypted packet with the transport error', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await control.fault({ type: 'flood-429', seconds: 30 })
    await expect(c.session.api({ _: 'help.getConfig' })).rejects.toMatchObject({ code: -429 })
    await control.fault([{ type: 'clear' }, { type: 'storm-404', seconds: 30 }])
    await expect(c.session.call({ _: 'help.getConfig' })).rejects.toMatchObject({ code: -404 })
    c.close()
  })

  it('clock-offset moves server time: a client 400 s behind gets bad_msg_notification 16', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await control.fault({ type: 'clock-offset', seconds: 400 })
    await expect(c.session.api({ _: 'help.getConfig' })).rejects.toMatchObject({ code: 'BAD_MSG_16' })
    c.close()
  })

  it('salt now → the next call gets bad_server_salt (48) with the new salt, is resent under it and answered', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    expect((await c.session.api({ _: 'help.getConfig' }))._).toBe('config')
    const oldSalt = c.session.salt
    const before = server.stats().badMsgNotifications['48'] ?? 0
    await control.fault({ type: 'salt', keyId: c.temp.id.toString() })
    expect((await c.session.api({ _: 'help.getNearestDc' }))._).toBe('nearestDc')
    expect(server.stats().badMsgNotifications['48']).toBe(before + 1)
    expect(c.session.salt).not.toBe(oldSalt)
    expect(c.session.events.some((e) => e._ === 'bad_server_salt')).toBe(true)
    c.close()
  })

  it('salt after N seconds → calls are answered under the old salt until then, mid-traffic they get 48 after', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    const before = server.stats().badMsgNotifications['48'] ?? 0
    await control.fault({ type: 'salt', afterSeconds: 0.4 })
    expect((await c.session.api({ _: 'help.getConfig' }))._).toBe('config')
    expect(server.stats().badMsgNotifications['48'] ?? 0).toBe(before)
    await sleep(500)
    expect((await c.session.api({ _: 'help.getConfig' }))._).toBe('config')
    expect(server.stats().badMsgNotifications['48']).toBe(before + 1)
    c.close()
  })

  it('salt with a negative delay is a BAD_FAULT', async () => {
    await expect(control.fault({ type: 'salt', afterSeconds: -1 })).rejects.toMatchObject({ code: 'BAD_FAULT' })
  })

  it('push-updates sends updateShort to bound sessions', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await c.session.api({ _: 'help.getConfig' })
    await control.fault({ type: 'push-updates', everySeconds: 0.1 })
    await sleep(350)
    expect(c.session.events.filter((e) => e._ === 'updateShort').length).toBeGreaterThanOrEqual(2)
    c.close()
  })

  it('updates-too-long pushes updatesTooLong once to bound sessions (issue #16)', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await c.session.api({ _: 'help.getConfig' })
    await control.fault({ type: 'updates-too-long' })
    await sleep(150)
    expect(c.session.events.filter((e) => e._ === 'updatesTooLong')).toHaveLength(1)
    c.close()
  })

  it('restart drops temp keys (-404) but keeps perm keys, which bind a new temp key', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    await control.fault({ type: 'restart' })
    expect((await control.stats()).keys.filter((k) => k.kind === 'temp')).toEqual([])
    const old = new ClientSession(await ClientTransport.open(tcp(server)), c.temp)
    await expect(old.call({ _: 'help.getConfig' })).rejects.toMatchObject({ code: -404 })
    old.close()
    const again = await connectPfs(tcp(server), server.rsaPublicKeyPem, { perm: c.perm })
    expect((await again.session.api({ _: 'help.getConfig' }))._).toBe('config')
    again.close()
  })
})
