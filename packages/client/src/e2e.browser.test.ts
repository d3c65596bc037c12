/**
 * The page, the real engine worker and the conformance server (issue #5): a fresh start
 * ends bound under a temp key, and no temp key byte ever shows up in what crosses the
 * worker boundary or in anything the page can persist. Needs test/global-setup.ts wired
 * as the Chromium project's globalSetup.
 */
import { createWorker, EngineError, type DcStateView, type KeyEvent } from '@pfs-web/worker'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { scanForLeaks } from '../test/leak-scan.ts'
import { recordingEndpoint } from '../test/recording-endpoint.ts'
import type { PfsServerInfo } from '../test/global-setup.ts'
import { createPfsClient } from './client.ts'

function serverInfo(): PfsServerInfo {
  const info: PfsServerInfo | undefined = inject('pfsServer')
  if (!info) throw new Error('no pfsServer: add packages/client/test/global-setup.ts to the chromium project globalSetup')
  return info
}

const server = serverInfo()
const storageName = `pfs-client-e2e-${Date.now()}`
const recorder = recordingEndpoint(createWorker())
const events: KeyEvent[] = []
const client = createPfsClient({
  worker: recorder,
  dcs: [{ id: 2, url: server.wsUrl }],
  defaultDcId: 2,
  rsaPublicKeys: [server.rsaPem],
  app: { apiId: 1, deviceModel: 'chromium', systemVersion: 'test', appVersion: '0.1', systemLangCode: 'en', langPack: '', langCode: 'en' },
  layer: 227,
  defaultTimeoutMs: 20_000,
  storageName,
})
client.onKeyEvent((e) => events.push(e))

afterAll(async () => {
  await client.close()
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(storageName)
    req.onsuccess = req.onerror = req.onblocked = resolve
  })
})

/** The server names keys by auth_key_id as a signed decimal TL long; we hold its wire hex. */
async function serverTempKey(tempKeyId: string): Promise<Uint8Array> {
  const wire = Uint8Array.from(tempKeyId.match(/../g) ?? [], (h) => parseInt(h, 16))
  const id = new DataView(wire.buffer).getBigInt64(0, true)
  const res = await fetch(`${server.controlUrl}/keys/temp/${id}`)
  expect(res.status).toBe(200)
  const { hex } = (await res.json()) as { hex: string }
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))
}

describe('client ⇄ worker ⇄ conformance server', () => {
  let first: DcStateView

  it('connect: perm and temp keys made, temp key bound; help.getConfig answers', async () => {
    first = await client.connect(2)
    expect(first).toMatchObject({ dcId: 2, status: 'ready', bound: true })
    expect(first.permKeyId).toMatch(/^[0-9a-f]{16}$/)
    expect(first.tempKeyId).toMatch(/^[0-9a-f]{16}$/)
    expect(first.tempKeyId).not.toBe(first.permKeyId)
    const config = await client.getConfig()
    expect(config.thisDc).toBe(2)
    expect(events.map((e) => e.kind)).toContain('bound')
  })

  it('state views and key events carry no bytes at runtime either (api.types.test.ts)', async () => {
    const paths: string[] = []
    const walk = (value: unknown, path: string): void => {
      if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) paths.push(path)
      else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`)
    }
    walk(await client.states(), 'states')
    walk(events, 'events')
    expect(paths).toEqual([])
    expect(events.length).toBeGreaterThan(0)
  })

  it('an unknown DC is refused with EngineError UNKNOWN_DC', async () => {
    const error: unknown = await client.connect(99).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EngineError)
    expect(error).toMatchObject({ code: 'UNKNOWN_DC' })
  })

  it('rotateNow: a new temp key is bound and the old and new ones never leave the worker', async () => {
    const oldTempKey = await serverTempKey(first.tempKeyId ?? '')
    await client.rotateNow(2)
    const [after] = await client.states()
    expect(after?.tempKeyId).not.toBe(first.tempKeyId)
    expect(after?.permKeyId).toBe(first.permKeyId)
    await client.getConfig()
    const newTempKey = await serverTempKey(after?.tempKeyId ?? '')

    const hits = await scanForLeaks({ oldTempKey, newTempKey }, { messages: recorder.messages, minRun: 16 })
    expect(hits).toEqual([])
    // The scan looked at real traffic: both directions, and the perm key was persisted.
    expect(recorder.messages.some((m) => m.direction === 'from-worker' && m.channel !== 'main')).toBe(true)
    const dbs = (await indexedDB.databases()).map((d) => d.name)
    expect(dbs).toContain(storageName)
  })
})
