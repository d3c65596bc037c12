/**
 * Issue #16, DC migration against the conformance server, transparent to the caller:
 * PHONE_MIGRATE moves the home DC (and a reload keeps it), FILE_MIGRATE routes
 * upload.getFile to the file's DC after auth.exportAuthorization on home and
 * auth.importAuthorization there, and every DC keeps its own perm key and bound temp keys.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deserializeObject, serializeObject } from '@pfs-web/tl'
import { startServer, type RunningServer } from '@pfs-web/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { WorkerOptions } from './api.ts'
import { createEngine } from './engine.ts'
import { createMemoryPermKeyStorage } from './edge/storage/memory-perm-key-storage.ts'
import { engineOptions } from './test-support/engine-options.ts'
import { nodeEnv } from './test-support/node-env.ts'

let server: RunningServer
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-migrate-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterEach(() => server.faults.apply({ type: 'clear' }))
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/** DCs 1 and 2 (the server plays both on one port; the handshake names the DC), home 1. */
function twoDcs(): WorkerOptions {
  const o = engineOptions(server, 20_000)
  const url = o.dcs[0]!.url
  return { ...o, dcs: [{ id: 1, url }, { id: 2, url }], defaultDcId: 1 }
}

const GET_STATE = serializeObject({ _: 'updates.getState' })
const getFile = (fileId: bigint, offset: number, limit: number): Uint8Array =>
  serializeObject({ _: 'upload.getFile', location: { _: 'inputDocumentFileLocation', id: fileId, access_hash: 0n, file_reference: new Uint8Array(0), thumb_size: '' }, offset: BigInt(offset), limit })
const fileBytes = (bytes: Uint8Array): Uint8Array => {
  const r = deserializeObject(bytes)
  if (r._ !== 'upload.file') throw new Error(r._)
  return r.bytes
}
const calls = (method: string): number => server.stats().apiCalls[method] ?? 0
const migrateAnswers = (): number => server.faults.state().migrations.reduce((n, r) => n + r.answered, 0)

describe('PHONE_MIGRATE', () => {
  it('moves home to DC 2 and the call succeeds there; later calls go straight to DC 2; a reload starts on DC 2', async () => {
    const storage = createMemoryPermKeyStorage()
    const engine = createEngine(nodeEnv(storage))
    await engine.init(twoDcs())
    await server.faults.apply({ type: 'migrate', method: 'updates.getState', error: 'PHONE_MIGRATE', dc: 2 })
    expect(deserializeObject(await engine.invoke(GET_STATE))._).toBe('updates.state')
    expect(migrateAnswers()).toBe(1)
    expect(deserializeObject(await engine.invoke(GET_STATE))._).toBe('updates.state')
    expect(migrateAnswers()).toBe(1)
    expect((await engine.getConfig()).thisDc).toBe(2)
    expect(await storage.getHome?.()).toBe(2)
    await engine.close()

    const reloaded = createEngine(nodeEnv(storage))
    await reloaded.init(twoDcs())
    expect((await reloaded.getConfig()).thisDc).toBe(2)
    expect((await reloaded.states()).map((s) => s.dcId)).toEqual([2])
    await reloaded.close()
  }, 60_000)

  it('two DCs sending the call to each other: MIGRATE_LIMIT, not a loop; a DC with no address: UNKNOWN_DC', async () => {
    const engine = createEngine(nodeEnv(createMemoryPermKeyStorage()))
    await engine.init(twoDcs())
    await server.faults.apply([
      { type: 'migrate', method: 'updates.getState', error: 'USER_MIGRATE', dc: 2 },
      { type: 'migrate', method: 'updates.getState', error: 'USER_MIGRATE', dc: 1 },
    ])
    await expect(engine.invoke(GET_STATE)).rejects.toMatchObject({ name: 'EngineError', code: 'MIGRATE_LIMIT' })
    await server.faults.apply([{ type: 'clear' }, { type: 'migrate', method: 'help.getNearestDc', error: 'NETWORK_MIGRATE', dc: 5 }])
    await expect(engine.getNearestDc()).rejects.toMatchObject({ name: 'EngineError', code: 'UNKNOWN_DC' })
    expect(server.stats().violations.count).toBe(0)
    await engine.close()
  }, 60_000)
})

describe('a logged-out DC', () => {
  it('a user call routed there fails LOGGED_OUT before any export, import or perm handshake', async () => {
    const engine = createEngine(nodeEnv(createMemoryPermKeyStorage()))
    await engine.init(twoDcs())
    await engine.logout(2)
    const before = { perm: server.stats().handshakes.perm['2'] ?? 0, exports: calls('auth.exportAuthorization') }
    await expect(engine.invoke(GET_STATE, { dcId: 2 })).rejects.toMatchObject({ name: 'EngineError', code: 'LOGGED_OUT' })
    expect(server.stats().handshakes.perm['2'] ?? 0).toBe(before.perm)
    expect(calls('auth.exportAuthorization')).toBe(before.exports)
    await engine.close()
  }, 60_000)
})

describe('FILE_MIGRATE with export/import authorization', () => {
  it('a signed-in user reads a file that lives on DC 2: one export on DC 1, one import on DC 2, every part but the first straight to DC 2, byte-exact', async () => {
    await server.faults.apply({ type: 'require-authorization', on: true })
    const engine = createEngine(nodeEnv(createMemoryPermKeyStorage()))
    await engine.init(twoDcs())
    await engine.connect()
    await server.faults.apply({ type: 'sign-in', dc: 1 })
    const part = 64 * 1024
    const file = Uint8Array.from({ length: 4 * part }, (_, i) => (i * 13 + (i >> 9)) & 0xff)
    for (let n = 0; n < 4; n++) expect(await engine.saveFilePart(4242n, n, file.slice(n * part, (n + 1) * part))).toBe(true)
    const before = { exports: calls('auth.exportAuthorization'), imports: calls('auth.importAuthorization') }

    await server.faults.apply({ type: 'migrate', method: 'upload.getFile', error: 'FILE_MIGRATE', dc: 2 })
    const first = fileBytes(await engine.invoke(getFile(4242n, 0, part), { pool: 'download' }))
    const rest = await Promise.all([1, 2, 3].map(async (n) => fileBytes(await engine.invoke(getFile(4242n, n * part, part), { pool: 'download' }))))
    expect(Buffer.compare(Buffer.concat([first, ...rest]), Buffer.from(file))).toBe(0)
    expect(migrateAnswers()).toBe(1)
    expect(calls('auth.exportAuthorization') - before.exports).toBe(1)
    expect(calls('auth.importAuthorization') - before.imports).toBe(1)

    // each DC its own perm key, every connection's temp key bound to its DC's; none under a perm key
    const states = await engine.states()
    const perms = new Map<number, Set<string | null>>()
    for (const s of states) perms.set(s.dcId, (perms.get(s.dcId) ?? new Set()).add(s.permKeyId))
    expect([...perms.keys()].sort()).toEqual([1, 2])
    for (const ids of perms.values()) expect(ids.size).toBe(1)
    expect(perms.get(1)).not.toEqual(perms.get(2))
    expect(states.filter((s) => s.dcId === 2 && s.connection?.startsWith('download')).every((s) => s.bound)).toBe(true)
    expect(server.stats().violations.count).toBe(0)
    await engine.close()
  }, 60_000)

  it('nobody signed in on home: the export answers 401, no import, the call still goes to DC 2, and the next one does not export again', async () => {
    const engine = createEngine(nodeEnv(createMemoryPermKeyStorage()))
    await engine.init(twoDcs())
    expect(await engine.saveFilePart(4343n, 0, new Uint8Array(1024).fill(7))).toBe(true)
    const before = { exports: calls('auth.exportAuthorization'), imports: calls('auth.importAuthorization') }
    await server.faults.apply({ type: 'migrate', method: 'upload.getFile', error: 'FILE_MIGRATE', dc: 2 })
    // a part shorter than the limit is the file's end (api/files)
    expect(fileBytes(await engine.invoke(getFile(4343n, 0, 4096)))).toEqual(new Uint8Array(1024).fill(7))
    expect(fileBytes(await engine.invoke(getFile(4343n, 0, 4096)))).toEqual(new Uint8Array(1024).fill(7))
    expect(calls('auth.exportAuthorization') - before.exports).toBe(1)
    expect(calls('auth.importAuthorization') - before.imports).toBe(0)
    expect(migrateAnswers()).toBe(1)
    await engine.close()
  }, 60_000)
})
