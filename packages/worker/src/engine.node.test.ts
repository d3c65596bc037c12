import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '@pfs-web/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeyEvent, WorkerApi, WorkerOptions } from './api.ts'
import { createEngine } from './engine.ts'
import { KeyStore, type KeyHandle, type KeyKind } from './keys/key-store.ts'
import { memoryPermKeys, nodeEnv } from './test-support/node-env.ts'
import { engineOptions } from './test-support/engine-options.ts'

let server: RunningServer
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-engine-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function options(): WorkerOptions {
  return engineOptions(server, 20_000)
}

async function engineWith(storage = memoryPermKeys()): Promise<{ engine: WorkerApi; events: KeyEvent[]; storage: typeof storage }> {
  const engine = createEngine(nodeEnv(storage))
  const events: KeyEvent[] = []
  await engine.init(options())
  await engine.onKeyEvent((e) => void events.push(e))
  return { engine, events, storage }
}

function tempCount(): number {
  return Object.values(server.stats().handshakes.temp).reduce((a, b) => a + b, 0)
}
function permCount(): number {
  return Object.values(server.stats().handshakes.perm).reduce((a, b) => a + b, 0)
}

describe('engine against the conformance server (issue #5)', () => {
  const storage = memoryPermKeys()

  it('fresh start: perm + temp handshakes in parallel, bind, initConnection, help.getConfig under the bound temp key', async () => {
    const { engine, events } = await engineWith(storage)
    const [p0, t0] = [permCount(), tempCount()]
    const started = performance.now()
    const state = await engine.connect()
    const config = await engine.getConfig()
    const elapsed = performance.now() - started
    expect(config.thisDc).toBe(2)
    expect(permCount() - p0).toBe(1)
    expect(tempCount() - t0).toBe(1)
    expect(state).toMatchObject({ status: 'ready', bound: true, handshakes: { perm: 1, temp: 1 }, binds: 1 })
    const stats = server.stats()
    const temp = stats.keys.find((k) => BigInt(k.id) === hexToLong(state.tempKeyId))
    const perm = stats.keys.find((k) => BigInt(k.id) === hexToLong(state.permKeyId))
    expect(temp).toMatchObject({ kind: 'temp', inited: true, layer: 227 })
    expect(temp?.boundTo).toBe(perm?.id)
    expect(temp?.apiCalls).toBeGreaterThanOrEqual(1)
    expect(perm?.apiCalls).toBe(0)
    expect(stats.violations.count).toBe(0)
    expect(events.map((e) => `${e.keyKind}:${e.kind}`)).toEqual(expect.arrayContaining(['perm:created', 'temp:created', 'temp:bound']))
    expect(storage.map.get(2)).toHaveLength(256)
    console.info(`fresh connect → bound getConfig: ${elapsed.toFixed(0)} ms`)
    await engine.close()
  })

  it('a second engine with the stored perm key runs only a temp handshake', async () => {
    const { engine } = await engineWith(storage)
    const [p0, t0] = [permCount(), tempCount()]
    const started = performance.now()
    await engine.connect()
    const config = await engine.getConfig()
    const elapsed = performance.now() - started
    expect(config.thisDc).toBe(2)
    expect(permCount() - p0).toBe(0)
    expect(tempCount() - t0).toBe(1)
    const [s] = await engine.states()
    expect(s?.handshakes).toEqual({ perm: 0, temp: 1 })
    expect(server.stats().violations.count).toBe(0)
    console.info(`stored perm key connect → bound getConfig: ${elapsed.toFixed(0)} ms`)
    await engine.close()
  })

  it('1 MiB upload and download through saveFilePart / getFile are byte-exact', async () => {
    const { engine } = await engineWith(storage)
    const data = new Uint8Array(1024 * 1024)
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >>> 8)) & 0xff
    const fileId = 0x1234_5678_9abcn
    const part = 512 * 1024
    const saved = await Promise.all([0, 1].map((i) => engine.saveFilePart(fileId, i, data.subarray(i * part, (i + 1) * part))))
    expect(saved).toEqual([true, true])
    const chunks = await Promise.all([0, 1].map((i) => engine.getFile(fileId, i * part, part)))
    const back = new Uint8Array(data.length)
    chunks.forEach((c, i) => back.set(c, i * part))
    // A byte loop: deep-equal on 1 MiB arrays costs seconds in vitest.
    expect(back.length).toBe(data.length)
    expect(back.findIndex((b, i) => b !== data[i])).toBe(-1)
    expect(server.stats().violations.count).toBe(0)
    await engine.close()
  })

  it('server forgets the temp key: -404 → new temp key, rebind, resend, perm key kept, no call lost', async () => {
    const { engine, events } = await engineWith(storage)
    const before = await engine.connect()
    await server.faults.apply({ type: 'forget-temp-key' })
    const results = await Promise.all([engine.getConfig(), engine.getNearestDc(), engine.getConfig()])
    expect(results.map((r) => r.thisDc)).toEqual([2, 2, 2])
    const [after] = await engine.states()
    expect(after?.permKeyId).toBe(before.permKeyId)
    expect(after?.tempKeyId).not.toBe(before.tempKeyId)
    expect(after?.rebinds).toBe(1)
    expect(after?.last404?.cause).toBe('temp-key-forgotten')
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['not-found-404', 'dropped', 'recovered']))
    expect(server.stats().violations.count).toBe(0)
    await engine.close()
  })

  it('rotateNow: make-before-break, the old temp key is dropped after the switch', async () => {
    const { engine, events } = await engineWith(storage)
    const before = await engine.connect()
    await engine.rotateNow()
    await engine.getConfig()
    const [after] = await engine.states()
    expect(after).toMatchObject({ status: 'ready', bound: true, rotations: 1, permKeyId: before.permKeyId })
    expect(after?.tempKeyId).not.toBe(before.tempKeyId)
    expect(events.filter((e) => e.kind === 'dropped').map((e) => e.keyId)).toContain(before.tempKeyId)
    expect(server.stats().violations.count).toBe(0)
    await engine.close()
  })
})

/** Records the buffers it takes ownership of, so a test can check they end up zeroed. */
class RecordingKeyStore extends KeyStore {
  readonly given: { kind: KeyKind; bytes: Uint8Array; handle: KeyHandle }[] = []
  override add(dcId: number, kind: KeyKind, bytes: Uint8Array, createdAt: number, expiresAt: number | null): KeyHandle {
    const handle = super.add(dcId, kind, bytes, createdAt, expiresAt)
    this.given.push({ kind, bytes, handle })
    return handle
  }
}

describe('key bytes are zeroed when a key is dropped (STYLE secrets)', () => {
  it('rotation and -404 recovery zero the old temp keys; the perm key stays', async () => {
    const keys = new RecordingKeyStore()
    const engine = createEngine(nodeEnv(memoryPermKeys()), { keys })
    await engine.init(options())
    await engine.connect()
    const [first] = keys.given.filter((g) => g.kind === 'temp')
    expect(first?.bytes.some((b) => b !== 0)).toBe(true)
    await engine.rotateNow()
    await engine.getConfig()
    expect(first?.bytes.every((b) => b === 0)).toBe(true)
    const second = keys.given.filter((g) => g.kind === 'temp')[1]
    await server.faults.apply({ type: 'forget-temp-key' })
    await engine.getConfig()
    expect(second?.bytes.every((b) => b === 0)).toBe(true)
    const perm = keys.given.find((g) => g.kind === 'perm')
    expect(perm?.bytes.some((b) => b !== 0)).toBe(true)
    expect(keys.size).toBe(2) // the perm key and the current temp key, nothing else
    await engine.close()
    expect(perm?.bytes.every((b) => b === 0)).toBe(true)
  })
})

function hexToLong(hex: string | null): bigint {
  if (hex === null) throw new Error('no key id')
  const bytes = new Uint8Array(hex.match(/../g)?.map((h) => parseInt(h, 16)) ?? [])
  return new DataView(bytes.buffer).getBigInt64(0, true)
}
