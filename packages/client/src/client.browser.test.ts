/**
 * The client against a scripted engine in a real Worker, served by the product's
 * exposeOn: what the page sees of errors, subscriptions, aborts and large buffers.
 */
import { RpcError, TransportError } from '@pfs-web/errors'
import { afterEach, describe, expect, it } from 'vitest'
import { Op, UPDATE_MARKER, type FakeEngineLog } from '../test/fake-engine.ts'
import { scanForLeaks } from '../test/leak-scan.ts'
import { recordingEndpoint, type RecordingEndpoint } from '../test/recording-endpoint.ts'
import { createPfsClient, type PfsClient, type PfsClientOptions } from './client.ts'
import { AbortedError } from './errors.ts'
import type { DcStateView } from '@pfs-web/worker'

const workerOptions: Omit<PfsClientOptions, 'worker'> = {
  dcs: [{ id: 2, url: 'ws://127.0.0.1:1/apiws' }],
  defaultDcId: 2,
  rsaPublicKeys: [],
  app: { apiId: 1, deviceModel: 'test', systemVersion: 'test', appVersion: '0', systemLangCode: 'en', langPack: '', langCode: 'en' },
  layer: 1,
}

const clients: PfsClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
})

function fakeWorker(): Worker {
  return new Worker(new URL('../test/fake-engine-worker.ts', import.meta.url), { type: 'module' })
}

function start(worker: Worker | RecordingEndpoint = fakeWorker(), extra: Partial<PfsClientOptions> = {}): PfsClient {
  const client = createPfsClient({ ...workerOptions, worker, ...extra })
  clients.push(client)
  return client
}

async function engineLog(client: PfsClient): Promise<FakeEngineLog> {
  const bytes = await client.invoke(new Uint8Array([Op.log]))
  return JSON.parse(new TextDecoder().decode(bytes)) as FakeEngineLog
}

/** Resolves with the next `n` values a subscription delivers. */
function collect<T>(n: number, into: T[]): { push: (v: T) => void; done: Promise<T[]> } {
  let resolve: (v: T[]) => void = () => {}
  const done = new Promise<T[]>((r) => (resolve = r))
  return {
    push: (v) => {
      into.push(v)
      if (into.length === n) resolve(into)
    },
    done,
  }
}

describe('errors thrown in the worker arrive as the same class', () => {
  it('RpcError keeps code 420 and its message', async () => {
    const error: unknown = await start().invoke(new Uint8Array([Op.throwRpc])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RpcError)
    expect(error).toMatchObject({ code: 420, message: 'FLOOD_WAIT_3' })
  })

  it('TransportError keeps code -404', async () => {
    const error: unknown = await start().invoke(new Uint8Array([Op.throwTransport])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ code: -404, message: 'auth key not found' })
  })
})

describe('subscribe', () => {
  it('delivers state snapshots until unsubscribed, then the worker drops its listener', async () => {
    const client = start()
    const seen: DcStateView[][] = []
    const unsubscribe = client.subscribe((states) => seen.push(states))
    await expect.poll(() => seen.length).toBe(1)
    await client.rotateNow(2)
    await expect.poll(() => seen.length).toBe(2)
    expect(seen.map((s) => s[0]?.rotations)).toEqual([0, 1])
    expect((await engineLog(client)).listeners.state).toBe(1)

    unsubscribe()
    await client.rotateNow(2)
    await expect.poll(async () => (await engineLog(client)).listeners.state).toBe(0)
    expect(seen).toHaveLength(2)
  })

  it('a second page listener first gets the latest snapshot, then shares the stream', async () => {
    const client = start()
    const first: DcStateView[][] = []
    const second: DcStateView[][] = []
    client.subscribe((s) => first.push(s))
    await expect.poll(() => first.length).toBe(1)
    await client.rotateNow()
    await expect.poll(() => first.length).toBe(2)
    client.subscribe((s) => second.push(s))
    await expect.poll(() => second.length).toBe(1)
    expect(second[0]?.[0]?.rotations).toBe(1)
    await client.rotateNow()
    await expect.poll(() => second.map((s) => s[0]?.rotations)).toEqual([1, 2])
    expect((await engineLog(client)).listeners.state).toBe(1)
  })

  it('fans out to several page listeners over one worker subscription', async () => {
    const client = start()
    const a = collect(2, [] as string[])
    const b = collect(1, [] as string[])
    const unsubscribeA = client.onKeyEvent((e) => a.push(e.keyId ?? ''))
    const unsubscribeB = client.onKeyEvent((e) => b.push(e.keyId ?? ''))
    await expect.poll(async () => (await engineLog(client)).listeners.keyEvent).toBe(1)
    await client.rotateNow()
    expect(await b.done).toEqual(['temp-1'])
    unsubscribeB()
    await client.rotateNow()
    expect(await a.done).toEqual(['temp-1', 'temp-2'])
    unsubscribeA()
    await expect.poll(async () => (await engineLog(client)).listeners.keyEvent).toBe(0)
  })
})

describe('AbortSignal', () => {
  it('rejects a pending invoke with ABORTED and the worker sees cancel(callId)', async () => {
    const client = start()
    const controller = new AbortController()
    const pending = client.invoke(new Uint8Array([Op.hang]), { signal: controller.signal, timeoutMs: 5000 })
    await expect.poll(async () => (await engineLog(client)).invokes.length).toBe(2)
    controller.abort()
    const error: unknown = await pending.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AbortedError)
    expect(error).toMatchObject({ code: 'ABORTED' })

    const log = await engineLog(client)
    const callId = log.invokes[0]?.callId
    expect(callId).toMatch(/^[0-9a-f-]{36}$/)
    expect(log.invokes[0]?.timeoutMs).toBe(5000)
    expect(log.cancelled).toEqual([callId])
  })

  it('an already-aborted signal never sends the request', async () => {
    const client = start()
    const request = new Uint8Array([Op.echo, 1, 2, 3])
    await expect(client.invoke(request, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' })
    expect(request.byteLength).toBe(4)
    expect((await engineLog(client)).invokes).toHaveLength(1)
  })
})

describe('large buffers move as transferables', () => {
  it('a 1 MiB request leaves the page detached and comes back intact', async () => {
    const client = start()
    const request = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 13) & 0xff)
    request[0] = Op.echo
    const expected = request.slice()
    const echoed = await client.invoke(request)
    expect(request.byteLength).toBe(0)
    expect(request.buffer.byteLength).toBe(0)
    // Not toEqual: a deep compare of 1 MiB element by element takes seconds in the browser.
    expect(echoed.length).toBe(expected.length)
    expect(echoed.findIndex((b, i) => b !== expected[i])).toBe(-1)
    // The worker handed its buffer back by transfer as well.
    expect((await engineLog(client)).lastEchoByteLength).toBe(0)
  })

  it('saveFilePart moves its bytes; getFile returns the slice asked for', async () => {
    const client = start()
    const part = new Uint8Array(512 * 1024).fill(3)
    await expect(client.saveFilePart(77n, 4, part)).resolves.toBe(true)
    expect(part.byteLength).toBe(0)
    expect((await engineLog(client)).savedParts).toEqual([{ fileId: '77', part: 4, length: 512 * 1024 }])
    expect(await client.getFile(77n, 10, 4)).toEqual(new Uint8Array([10, 11, 12, 13]))
  })

  it('issue #16: the page\'s freeze, resume and visibilitychange reach the engine as lifecycle(kind); reconnect() too', async () => {
    const client = start()
    await client.ready
    for (const type of ['freeze', 'resume', 'visibilitychange']) document.dispatchEvent(new Event(type))
    await client.reconnect()
    expect((await engineLog(client)).lifecycle).toEqual(['freeze', 'resume', document.visibilityState === 'hidden' ? 'hidden' : 'visible', 'reconnect'])
  })
})

describe('close', () => {
  it('rejects a pending call with TransportError CLOSED and later calls too', async () => {
    const client = start(fakeWorker(), { closeGraceMs: 50 })
    const pending = client.invoke(new Uint8Array([Op.hang])).catch((e: unknown) => e)
    await client.ready
    await client.close()
    expect(await pending).toMatchObject({ code: 'CLOSED' })
    await expect(client.getConfig()).rejects.toBeInstanceOf(TransportError)
  })

  it('a worker that fails to load fails the client instead of hanging', async () => {
    const broken = new Worker(URL.createObjectURL(new Blob(['throw new Error("boom")'], { type: 'text/javascript' })))
    const client = start(broken)
    await expect(client.connect()).rejects.toMatchObject({ code: 'WORKER_FAILED' })
  })
})

describe('recording endpoint and leak scan', () => {
  it('records traffic on relayed listener ports, so a scan finds bytes sent in an update', async () => {
    const recorder = recordingEndpoint(fakeWorker())
    const client = start(recorder)
    const updates = collect(1, [] as Uint8Array[])
    client.onUpdate((_dcId, update) => updates.push(update))
    await expect.poll(async () => (await engineLog(client)).listeners.update).toBe(1)
    await client.connect(2)
    expect(await updates.done).toEqual([UPDATE_MARKER])

    const neverSent = new TextEncoder().encode('this-string-never-crosses-the-boundary')
    const hits = await scanForLeaks({ update: UPDATE_MARKER, neverSent }, { messages: recorder.messages })
    expect(hits.filter((h) => h.secret === 'update').map((h) => h.where)).toContain('messages')
    expect(hits.some((h) => h.location.includes('port-'))).toBe(true)
    expect(hits.filter((h) => h.secret === 'neverSent')).toEqual([])
  })

  it('finds a secret written to web storage as hex, and a truncated run of it', async () => {
    const secret = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 5) & 0xff)
    const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
    localStorage.setItem('leaky', hexOf(secret))
    sessionStorage.setItem('leaky-part', hexOf(secret.subarray(10, 30)))
    try {
      const whole = await scanForLeaks({ secret })
      expect(whole.map((h) => h.where)).toEqual(['localStorage'])
      const runs = await scanForLeaks({ secret }, { minRun: 16 })
      expect(runs.map((h) => h.where).sort()).toEqual(['localStorage', 'sessionStorage'])
    } finally {
      localStorage.removeItem('leaky')
      sessionStorage.removeItem('leaky-part')
    }
  })
})
