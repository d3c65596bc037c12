import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '@pfs-web/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { KeyEvent, WorkerApi, WorkerOptions } from './api.ts'
import { createEngine } from './engine.ts'
import type { EngineEnv } from './env.ts'
import { memoryPermKeys, nodeEnv, openNodeSocket, tamperingOpener } from './test-support/node-env.ts'
import { engineOptions } from './test-support/engine-options.ts'

let server: RunningServer
let dataDir: string
let engine: WorkerApi | null = null

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-engine-faults-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterEach(async () => {
  await engine?.close()
  engine = null
  await server.faults.apply({ type: 'clear' })
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function options(): WorkerOptions {
  return engineOptions(server, 15_000)
}

async function start(env: EngineEnv = nodeEnv()): Promise<{ api: WorkerApi; events: KeyEvent[] }> {
  const api = createEngine(env)
  engine = api
  const events: KeyEvent[] = []
  await api.init(options())
  await api.onKeyEvent((e) => void events.push(e))
  return { api, events }
}

const calls = (method: string): number => server.stats().apiCalls[method] ?? 0

/** The server names keys by auth_key_id as a signed decimal long; the engine by its wire hex. */
function signedKeyId(idHex: string): string {
  const wire = Uint8Array.from(idHex.match(/../g) ?? [], (h) => parseInt(h, 16))
  return new DataView(wire.buffer).getBigInt64(0, true).toString()
}

describe('engine under server faults (issues #5, #6)', () => {
  it('pfs §2 TEMP_AUTH_KEY_ALREADY_BOUND → a new temp key is made and bound', async () => {
    await server.faults.apply({ type: 'bind-error', error: 'TEMP_AUTH_KEY_ALREADY_BOUND' })
    const { api, events } = await start()
    const state = await api.connect()
    expect(state).toMatchObject({ status: 'ready', bound: true, handshakes: { perm: 1, temp: 2 }, binds: 1 })
    expect(events.filter((e) => e.kind === 'dropped' && e.keyKind === 'temp')).toHaveLength(1)
    expect((await api.getConfig()).thisDc).toBe(2)
    expect(server.stats().violations.count).toBe(0)
  })

  it('pfs §2 ENCRYPTED_MESSAGE_INVALID with a perm key younger than 60 s → the bind is retried, both keys kept', async () => {
    await server.faults.apply({ type: 'bind-error', error: 'ENCRYPTED_MESSAGE_INVALID' })
    const { api } = await start()
    const state = await api.connect()
    expect(state).toMatchObject({ status: 'ready', bound: true, handshakes: { perm: 1, temp: 1 }, binds: 1 })
  })

  it('connection dropped after the server applied the bind, before its answer → the bind is resent on the reopened lane, not left to the 30 s step timeout', async () => {
    await server.faults.apply({ type: 'drop-connection', after: 'bind' })
    const okBefore = server.stats().binds.ok
    const { api } = await start()
    const t0 = Date.now()
    const state = await api.connect()
    expect(Date.now() - t0).toBeLessThan(10_000)
    expect(state).toMatchObject({ status: 'ready', bound: true, handshakes: { perm: 1, temp: 1 } })
    expect(server.stats().binds.ok - okBefore).toBe(2)
    expect((await api.getConfig()).thisDc).toBe(2)
  })

  it('pfs §1.3 gate: after a reported bind failure non-whitelisted calls fail NOT_BOUND unsent; whitelisted ones wait for the next bound key', async () => {
    await server.faults.apply({ type: 'bind-error', error: 'INPUT_REQUEST_TOO_LONG', count: 2 })
    const { api } = await start()
    await expect(api.connect()).rejects.toMatchObject({ code: 'NOT_BOUND' })
    const before = calls('upload.saveFilePart')
    const nearest = api.getNearestDc()
    // on the main connection, whose bind failed (the upload pool would make its own key)
    await expect(api.saveFilePart(7n, 0, new Uint8Array(16), undefined, 'main')).rejects.toMatchObject({ code: 'NOT_BOUND' })
    expect(calls('upload.saveFilePart')).toBe(before)
    // temp-key-policy keeps making keys within the storm budget; the third bind succeeds.
    expect((await nearest).thisDc).toBe(2)
    const [s] = await api.states()
    expect(s).toMatchObject({ bound: true, status: 'ready' })
    expect(s?.handshakes.temp).toBe(3)
    expect(server.stats().violations.count).toBe(0)
  })

  it('encryption.md §4: a corrupted inbound packet is a typed error and a clean reconnect; the call still completes', async () => {
    let corrupt = false
    const env = nodeEnv(
      memoryPermKeys(),
      tamperingOpener(openNodeSocket, (data) => {
        if (corrupt && data.length > 64) {
          corrupt = false
          const at = data.length >> 1
          data[at] = (data[at] ?? 0) ^ 0x5a
        }
        return data
      }),
    )
    const { api } = await start(env)
    await api.connect()
    corrupt = true
    const config = await api.getConfig()
    expect(config.thisDc).toBe(2)
    const [s] = await api.states()
    expect(s?.lastError).toMatchObject({ name: 'PacketError', code: expect.stringMatching(/MSG_KEY_MISMATCH|BAD_LENGTH|BAD_PADDING|AUTH_KEY_ID_MISMATCH/) })
    expect(s).toMatchObject({ status: 'ready', bound: true, handshakes: { perm: 1, temp: 1 } })
  })

  it('per-call deadline and cancel(callId) settle calls with typed errors', async () => {
    const { api } = await start()
    await api.connect()
    const held = api.invoke(new Uint8Array([0x6b, 0x18, 0xf9, 0xc4]), { callId: 'c1', timeoutMs: 10_000 })
    await api.cancel('c1')
    await expect(held).rejects.toMatchObject({ code: 'CANCELLED' })
    await expect(api.invoke(new Uint8Array([0x6b, 0x18, 0xf9, 0xc4]), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'TIMEOUT' })
  })

  it('issue #6: a short-lived temp key is renewed before expiry, make-before-break, while calls keep flowing', async () => {
    const api = createEngine(nodeEnv())
    engine = api
    const events: KeyEvent[] = []
    await api.init({ ...options(), tempKeyLifetimeS: [12, 12], rotationMarginS: 8 })
    await api.onKeyEvent((e) => void events.push(e))
    const first = await api.connect()
    const answered: number[] = []
    while (!events.some((e) => e.kind === 'rotated')) {
      answered.push((await api.getConfig()).thisDc)
      await new Promise((r) => setTimeout(r, 200))
    }
    for (let i = 0; i < 3; i++) answered.push((await api.getConfig()).thisDc)
    expect(answered.every((dc) => dc === 2)).toBe(true)
    const [s] = await api.states()
    expect(s).toMatchObject({ status: 'ready', bound: true, rotations: 1, permKeyId: first.permKeyId })
    expect(s?.tempKeyId).not.toBe(first.tempKeyId)
    const kinds = events.filter((e) => e.keyKind === 'temp').map((e) => `${e.kind}:${e.keyId === first.tempKeyId ? 'old' : 'new'}`)
    // the new key is bound before traffic moves; the old one is dropped only after that
    expect(kinds.indexOf('bound:new')).toBeLessThan(kinds.indexOf('rotated:new'))
    expect(kinds.indexOf('rotated:new')).toBeLessThan(kinds.indexOf('dropped:old'))
    expect(server.stats().violations.count).toBe(0)
  })

  it('issue #16: updatesTooLong reaches onUpdate raw and is reported as an update gap; so is the new session a -404 recovery starts', async () => {
    const { api, events } = await start()
    const updates: Uint8Array[] = []
    await api.onUpdate((_dcId, bytes) => void updates.push(bytes))
    await api.connect()
    const gaps = () => events.filter((e) => e.kind === 'update-gap').map((e) => e.detail)
    // the first session on the first key is new too
    expect(gaps()).toEqual(['new-session'])
    await server.faults.apply({ type: 'updates-too-long' })
    while (gaps().length < 2) await new Promise((r) => setTimeout(r, 20))
    expect(gaps()).toEqual(['new-session', 'updates-too-long'])
    expect(updates.map((u) => [...u])).toEqual([[0x7e, 0xaf, 0x17, 0xe3]])
    const gap = events.find((e) => e.detail === 'updates-too-long')!
    expect(gap).toMatchObject({ dcId: 2, keyKind: 'temp', keyId: (await api.states())[0]?.tempKeyId })
    expect(gap.at).toBeGreaterThan(1_700_000_000)
    // the server forgets the temp key: -404, a new key, a new session, a gap to fetch
    await server.faults.apply({ type: 'forget-temp-key' })
    expect((await api.getConfig()).thisDc).toBe(2)
    expect(gaps()).toEqual(['new-session', 'updates-too-long', 'new-session'])
  })

  it('issue #16: reconnect() reopens a dropped connection at once, its backoff reset, and calls go on', async () => {
    const sockets: { close(): void }[] = []
    const env = nodeEnv()
    const { api } = await start({ ...env, openSocket: (url) => (sockets.push(env.openSocket(url)), sockets.at(-1)!) } as EngineEnv)
    await api.connect()
    const opened = sockets.length
    // the link drops, and offline its reconnect (due after a 125–250 ms backoff) is held
    for (const s of sockets) s.close()
    await api.lifecycle('offline')
    await new Promise((r) => setTimeout(r, 300))
    expect(sockets.length).toBe(opened)
    await api.lifecycle('reconnect')
    await new Promise((r) => setTimeout(r, 100))
    expect(sockets.length).toBe(opened + 1)
    expect((await api.getConfig()).thisDc).toBe(2)
    await expect(api.lifecycle('sleep' as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })

  it('server-initiated messages reach onUpdate listeners as raw boxed TL', async () => {
    const { api } = await start()
    const updates: Uint8Array[] = []
    await api.onUpdate((dcId, bytes) => {
      if (dcId === 2) updates.push(bytes)
    })
    await api.connect()
    await server.faults.apply({ type: 'push-updates', everySeconds: 0.1 })
    while (updates.length < 2) await new Promise((r) => setTimeout(r, 50))
    // updateShort#78d4dec1
    expect([...(updates[0]?.subarray(0, 4) ?? [])]).toEqual([0xc1, 0xde, 0xd4, 0x78])
  })

  it('pfs §2 revoked perm key (fresh): bind retried while < 60 s, then one probe bind on a fresh temp key proves it dead → dropped, logged-out, no handshake loop; connect() then makes a new perm key (issue #16)', { timeout: 45_000 }, async () => {
    const storage = memoryPermKeys()
    const { api, events } = await start(nodeEnv(storage))
    const first = await api.connect()
    const failedBefore = server.stats().binds.failed['ENCRYPTED_MESSAGE_INVALID'] ?? 0
    await server.faults.apply({ type: 'forget-perm-key', keyId: signedKeyId(first.permKeyId ?? '') })
    // the server dropped the bound temp key with it: -404 → new temp key → its bind fails.
    // help.getConfig waits for a bound key; it outlives the up-to-15 s of bind retries.
    await expect(api.invoke(new Uint8Array([0x6b, 0x18, 0xf9, 0xc4]), { timeoutMs: 40_000 })).rejects.toMatchObject({ code: 'LOGGED_OUT' })
    const [s] = await api.states()
    expect(s).toMatchObject({ status: 'logged-out', permKeyId: null, tempKeyId: null, bound: false })
    expect(storage.map.has(2)).toBe(false)
    expect(events.filter((e) => e.kind === 'logged-out')).toHaveLength(1)
    // DEFAULT_BIND_RETRY: 5 binds on the first new key (fresh perm key), then exactly one
    // probe bind on a second new key; no further retry round on the probe key
    expect((server.stats().binds.failed['ENCRYPTED_MESSAGE_INVALID'] ?? 0) - failedBefore).toBe(6)
    expect(s?.handshakes.temp).toBe(first.handshakes.temp + 2)
    const handshakes = server.stats().handshakes.temp['2'] ?? 0
    await new Promise((r) => setTimeout(r, 1_500))
    expect(server.stats().handshakes.temp['2'] ?? 0).toBe(handshakes)
    // issue #16: a call does not start a new (signed-out) session by itself; it is refused
    await expect(api.getConfig()).rejects.toMatchObject({ code: 'LOGGED_OUT' })
    expect(events.filter((e) => e.kind === 'created' && e.keyKind === 'perm')).toHaveLength(1)
    // recoverable, the embedder did not log out: connect() makes a new perm key
    const again = await api.connect()
    expect(again).toMatchObject({ status: 'ready', bound: true, handshakes: { perm: 1, temp: 1 } })
    expect(again.permKeyId).not.toBe(first.permKeyId)
    expect(storage.map.has(2)).toBe(true)
    expect(events.filter((e) => e.kind === 'created' && e.keyKind === 'perm')).toHaveLength(2)
    expect((await api.getConfig()).thisDc).toBe(2)
    expect(await api.states()).toHaveLength(1)
  })

  it('logout: auth.logOut, then every key is dropped, the stored perm key too', async () => {
    const storage = memoryPermKeys()
    const { api, events } = await start(nodeEnv(storage))
    await api.connect()
    expect(storage.map.has(2)).toBe(true)
    const before = calls('auth.logOut')
    await api.logout()
    expect(calls('auth.logOut')).toBe(before + 1)
    expect(storage.map.has(2)).toBe(false)
    const [s] = await api.states()
    expect(s).toMatchObject({ status: 'logged-out', permKeyId: null, tempKeyId: null, bound: false })
    expect(events.map((e) => e.kind)).toContain('logged-out')
    await expect(api.getConfig()).rejects.toMatchObject({ code: 'LOGGED_OUT' })
    // issue #16: the embedder said logout(): neither connect() nor a call makes a new perm key
    const perms = server.stats().handshakes.perm['2'] ?? 0
    await expect(api.connect()).rejects.toMatchObject({ code: 'LOGGED_OUT' })
    await expect(api.getConfig()).rejects.toMatchObject({ code: 'LOGGED_OUT' })
    expect(server.stats().handshakes.perm['2'] ?? 0).toBe(perms)
    expect(storage.map.has(2)).toBe(false)
  })
})

// Run last and in this order: each row starts from the previous row's server clock.
describe('server clock skew (issues #6, #13, encryption.md §5, §6)', () => {
  it.each([
    { rule: 'enc §6: −1 day → bad_msg 17 carrying the server clock → resync from it, new session, new salt, calls answered, no new temp key', skewS: -86_400, keepsTemp: true },
    { rule: 'enc §4.9: +120 s (inside the server window, no bad_msg) → answers to our requests accepted, clock resynced from them', skewS: 120, keepsTemp: true },
    { rule: 'enc §6: skew cleared after +120 s → the session\'s server msg_ids restart at the clock, so the bad_msg 17 carries it → resync, calls answered, no new temp key', skewS: 0, keepsTemp: true },
    // a day on, the server has expired the temp key (-404): a new one is made and bound
    { rule: 'enc §6: +1 day → bad_msg 16, resync from its msg_id, calls answered', skewS: 86_400, keepsTemp: false },
  ])('$rule', async ({ skewS, keepsTemp }) => {
    const { api } = await start()
    const first = await api.connect()
    await server.faults.apply({ type: 'clock-offset', seconds: skewS })
    const t0 = Date.now()
    for (let i = 0; i < 3; i++) expect((await api.getConfig()).thisDc).toBe(2)
    expect(Date.now() - t0).toBeLessThan(10_000)
    const [s] = await api.states()
    // the engine's view of server time is the server's (same machine: offset = skew, ±5 s)
    expect(Math.abs((s?.serverTimeOffset ?? 0) - skewS)).toBeLessThan(5)
    expect(s).toMatchObject({ status: 'ready', bound: true, permKeyId: first.permKeyId })
    if (keepsTemp) expect(s).toMatchObject({ tempKeyId: first.tempKeyId, handshakes: { temp: 1 } })
    expect(server.stats().violations.count).toBe(0)
  })

})

describe('a new client after a server clock skew is cleared (issue #13)', () => {
  // Its own server: the msg_ids an earlier test left behind must not decide this one.
  it('after a +120 s skew is cleared, a new client connects and calls with 0 bad_msg 16/17', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfs-engine-skew-'))
    const own = await startServer({ dataDir: dir, wsPort: 0, tcpPort: 0, controlPort: 0 })
    const engines: WorkerApi[] = []
    const open = async (): Promise<WorkerApi> => {
      const api = createEngine(nodeEnv(memoryPermKeys()))
      engines.push(api)
      await api.init(engineOptions(own, 15_000))
      await api.connect()
      return api
    }
    try {
      await own.faults.apply({ type: 'clock-offset', seconds: 120 })
      const during = await open()
      expect((await during.getConfig()).thisDc).toBe(2)
      await during.close()
      await own.faults.apply({ type: 'clear' })
      const before = own.stats().badMsgNotifications
      const api = await open()
      for (let i = 0; i < 3; i++) expect((await api.getConfig()).thisDc).toBe(2)
      const after = own.stats().badMsgNotifications
      expect([after['16'] ?? 0, after['17'] ?? 0]).toEqual([before['16'] ?? 0, before['17'] ?? 0])
      const [s] = await api.states()
      expect(Math.abs(s?.serverTimeOffset ?? 99)).toBeLessThan(5)
      expect(s).toMatchObject({ status: 'ready', bound: true, handshakes: { perm: 1, temp: 1 }, rotations: 0 })
    } finally {
      for (const e of engines) await e.close()
      await own.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
