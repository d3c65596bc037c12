/**
 * Issue #6, leak scan after ≥ 10 rotations in real Chromium: every temp key the engine
 * makes is fetched from the server's test-only API while it lives, then everything the
 * page can persist (IndexedDB, localStorage, sessionStorage, Cache Storage) and every
 * message that crossed the worker boundary is searched for any 16-byte run of any of
 * them (STYLE §3 Secrets: temp keys live in worker RAM only). The scan is shown to be
 * able to find things: the stored perm key is found in IndexedDB, and a temp key planted
 * in each place is found there.
 */
import { ControlClient } from '@pfs-web/control-client'
import { createWorker } from '@pfs-web/worker'
import { afterAll, describe, expect, it } from 'vitest'
import { scanForLeaks, type LeakHit } from '../../test/leak-scan.ts'
import { CallStream, figure, isolatedServer, lifecycleClient, nearestDcProbe, summary, tempKeyBytes, until } from '../../test/lifecycle-harness.ts'
import { recordingEndpoint } from '../../test/recording-endpoint.ts'

const DC = 4
const ROTATIONS = 10
const server = isolatedServer('leak')
const control = new ControlClient(server.controlUrl)
const recorder = recordingEndpoint(createWorker())
const lc = lifecycleClient(server, DC, { worker: recorder, tempKeyLifetimeS: [5, 5], rotationMarginS: 3 })

afterAll(() => lc.dispose())

/** The perm key as the engine stored it (idb-keyval: database storageName, store perm-keys, key = DC). */
async function storedPermKey(dbName: string): Promise<Uint8Array> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(dbName)
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  try {
    const value = await new Promise<unknown>((resolve, reject) => {
      const req = db.transaction('perm-keys', 'readonly').objectStore('perm-keys').get(DC)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    if (!(value instanceof Uint8Array)) throw new Error('no stored perm key')
    return value
  } finally {
    db.close()
  }
}

describe('leak scan after 10 rotations of 5 s temp keys', () => {
  it('no temp key byte run in storage or worker messages; the scan finds planted and stored keys', { timeout: 120_000 }, async () => {
    // Every temp key's bytes, fetched as soon as the page hears it was made.
    const tempKeys = new Map<string, Uint8Array>()
    const fetches: Promise<void>[] = []
    const missed: string[] = []
    const unsubscribe = lc.client.onKeyEvent((e) => {
      if (e.kind !== 'created' || e.keyKind !== 'temp' || e.keyId === null) return
      const id = e.keyId
      fetches.push(
        tempKeyBytes(control, id).then((bytes) => {
          if (bytes) tempKeys.set(id, bytes)
          else missed.push(id)
        }),
      )
    })

    const first = await lc.client.connect(DC)
    expect(first).toMatchObject({ status: 'ready', bound: true })
    const t0 = Date.now()
    const stream = new CallStream(lc.client, nearestDcProbe(DC), 10).start()
    await until(async () => ((await lc.client.states())[0]?.rotations ?? 0) >= ROTATIONS || undefined, 90_000, 250)
    const calls = await stream.stop()
    unsubscribe()
    await Promise.all(fetches)
    const [state] = await lc.client.states()

    const s = summary(calls)
    expect(s).toMatchObject({ ok: s.total, wrong: 0, failed: 0, pending: 0 })
    expect(missed).toEqual([])
    // the first key (made before the subscription reached the worker) may be missing; every later one is here
    expect(tempKeys.size).toBeGreaterThanOrEqual(ROTATIONS)

    const secrets = Object.fromEntries([...tempKeys].map(([id, bytes]) => [`temp ${id}`, bytes]))
    const hits = await scanForLeaks(secrets, { messages: recorder.messages, minRun: 16 })
    figure('leak-scan', {
      rotations: state?.rotations,
      tempKeysScanned: tempKeys.size,
      messagesScanned: recorder.messages.length,
      calls: s.total,
      runMs: Date.now() - t0,
      hits: hits.length,
    })
    expect(hits).toEqual([])
    expect(recorder.messages.length).toBeGreaterThan(s.total)

    // --- the scan can find what it looks for
    const perm = await storedPermKey(lc.storageName)
    const permHits = await scanForLeaks({ perm }, { messages: recorder.messages, minRun: 16 })
    expect(permHits).toEqual([{ secret: 'perm', where: 'indexedDB', location: `${lc.storageName}/perm-keys/${DC}` }])

    const [planted] = [...tempKeys.values()] as [Uint8Array]
    const hex = Array.from(planted.subarray(100, 140), (b) => b.toString(16).padStart(2, '0')).join('')
    localStorage.setItem('leak-plant', hex)
    sessionStorage.setItem('leak-plant', btoa(String.fromCharCode(...planted)))
    const cache = await caches.open('leak-plant')
    await cache.put('/leak-plant', new Response(planted.slice(7, 40)))
    const plantedMessage = { direction: 'from-worker' as const, channel: 'planted', data: { nested: [planted.slice(200, 232)] } }
    let plantHits: LeakHit[]
    try {
      plantHits = await scanForLeaks({ planted }, { messages: [...recorder.messages, plantedMessage], minRun: 16 })
    } finally {
      localStorage.removeItem('leak-plant')
      sessionStorage.removeItem('leak-plant')
      await caches.delete('leak-plant')
    }
    expect(plantHits.map((h) => h.where).sort()).toEqual(['cacheStorage', 'localStorage', 'messages', 'sessionStorage'])
  })
})
