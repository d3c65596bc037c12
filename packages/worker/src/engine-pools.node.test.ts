/**
 * Connection pools per DC (issue #15) against the conformance server: each connection has
 * its own temp key bound to the one perm key, pool members start only when used, the file
 * helpers ride the upload and download pools, and a media DC's temp key carries -dc.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serializeObject } from '@pfs-web/tl'
import { startServer, type RunningServer } from '@pfs-web/server'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createEngine } from './engine.ts'
import { memoryPermKeys, nodeEnv } from './test-support/node-env.ts'
import { engineOptions } from './test-support/engine-options.ts'

let server: RunningServer
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-pools-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/** The server names keys by auth_key_id as a signed decimal; the engine by its wire hex. */
function serverKey(idHex: string | null) {
  const wire = Buffer.from(idHex ?? '', 'hex')
  const id = wire.readBigInt64LE(0).toString()
  return server.stats().keys.find((k) => k.id === id)
}

it('an engine that only calls getConfig makes 1 perm and 1 temp handshake and no pool connection', async () => {
  const engine = createEngine(nodeEnv(memoryPermKeys()))
  await engine.init(engineOptions(server, 10_000))
  await engine.getConfig()
  await engine.getConfig()
  const states = await engine.states()
  expect(states).toHaveLength(1)
  expect(states[0]).toMatchObject({ handshakes: { perm: 1, temp: 1 }, bound: true })
  expect(states[0]?.connection).toBeUndefined()
  await engine.close()
}, 30_000)

it('4 MiB in parallel parts rides upload ×2, each under its own temp key bound to the one perm key; download reads it back byte-exact', async () => {
  const engine = createEngine(nodeEnv(memoryPermKeys()))
  await engine.init(engineOptions(server, 20_000))
  const part = 512 * 1024
  const file = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 31 + (i >> 12)) & 0xff)
  const saved = await Promise.all(Array.from({ length: 8 }, (_, n) => engine.saveFilePart(33n, n, file.slice(n * part, (n + 1) * part))))
  expect(saved).toEqual(Array(8).fill(true))
  const back = await Promise.all(Array.from({ length: 8 }, (_, n) => engine.getFile(33n, n * part, part)))
  const whole = new Uint8Array(file.length)
  back.forEach((b, n) => whole.set(b, n * part))
  expect(Buffer.compare(Buffer.from(whole), Buffer.from(file))).toBe(0)

  const [main, ...states] = await engine.states()
  // main made the DC's perm key but no temp key: the file helpers do not go through it
  expect(main?.connection).toBeUndefined()
  expect(main).toMatchObject({ status: 'idle', tempKeyId: null, handshakes: { perm: 1, temp: 0 } })
  expect(states.map((s) => s.connection).sort()).toEqual(['download-0', 'download-1', 'upload-0', 'upload-1'])
  const perm = main?.permKeyId
  expect(perm).toMatch(/^[0-9a-f]{16}$/)
  expect(new Set(states.map((s) => s.tempKeyId)).size).toBe(4)
  for (const s of states) {
    expect(s).toMatchObject({ permKeyId: perm, bound: true, handshakes: { perm: 0, temp: 1 } })
    expect(serverKey(s.tempKeyId)).toMatchObject({ kind: 'temp', media: false, boundTo: serverKey(perm ?? null)?.id })
    // both members of each pool carried parts: the load spread
    expect(serverKey(s.tempKeyId)?.apiCalls).toBeGreaterThan(0)
  }
  expect(server.stats().violations.count).toBe(0)
  await engine.close()
}, 60_000)

it('a media pool dials the DC marked media with dc -2, bound to the same perm key as main', async () => {
  const engine = createEngine(nodeEnv(memoryPermKeys()))
  const o = engineOptions(server, 10_000)
  await engine.init({ ...o, dcs: [...o.dcs, { id: 2, url: `ws://${server.host}:${server.wsPort}/apiws_media`, media: true }] })
  await engine.getConfig()
  await engine.invoke(serializeObject({ _: 'help.getNearestDc' }), { pool: 'media' })
  const [main, media] = await engine.states()
  expect(media).toMatchObject({ connection: 'media-0', bound: true, permKeyId: main?.permKeyId, handshakes: { perm: 0, temp: 1 } })
  expect(serverKey(media?.tempKeyId ?? null)).toMatchObject({ dc: 2, media: true, boundTo: serverKey(main?.permKeyId ?? null)?.id })
  expect(serverKey(main?.tempKeyId ?? null)).toMatchObject({ media: false })
  await engine.close()
}, 30_000)

it('a media pool on a DC with no media address, or an unknown pool, is a typed error', async () => {
  const engine = createEngine(nodeEnv(memoryPermKeys()))
  await engine.init(engineOptions(server, 10_000))
  const req = serializeObject({ _: 'help.getNearestDc' })
  await expect(engine.invoke(req, { pool: 'media' })).rejects.toMatchObject({ code: 'UNKNOWN_DC' })
  await expect(engine.invoke(req, { pool: 'toString' as 'main' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  await engine.close()
})
