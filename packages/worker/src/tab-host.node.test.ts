/**
 * The SharedWorker host's tab bookkeeping (#15) over real MessageChannels: tabs share one
 * engine, a gone tab (its Web Lock granted to the host, or an explicit close) leaves no
 * listener, call or port behind, and the last tab out closes the engine. Node's
 * MessagePort tells the other end when a port closes, which a browser does not.
 */
import { once } from 'node:events'
import { MessagePort as NodeMessagePort } from 'node:worker_threads'
import { proxy, transfer, wrap, type Remote } from 'comlink'
import { afterEach, describe, expect, it } from 'vitest'
import type { KeyEvent, WorkerApi, WorkerOptions } from './api.ts'
import { EngineError } from './errors.ts'
import type { ExposedApi } from './expose-on.ts'
import { createTabHost } from './tab-host.ts'
import { registerWireHandlers } from './wire.ts'
import { stubWorkerApi } from '../test/stub-worker-api.ts'

const OPTIONS = { dcs: [{ id: 2, url: 'ws://x/apiws' }], defaultDcId: 2, rsaPublicKeys: [], layer: 1 } as unknown as WorkerOptions

/** An engine that records what the host does to it; invokes wait until cancelled. */
function fakeEngine() {
  const listeners = new Set<(e: KeyEvent) => void>()
  const pending = new Map<string, (error: unknown) => void>()
  const log = { inits: 0, closes: 0, cancels: [] as string[], filePools: [] as (string | undefined)[] }
  const engine: WorkerApi = stubWorkerApi({
    init: async () => void log.inits++,
    invoke: (_request, options = {}) =>
      new Promise<Uint8Array>((_resolve, reject) => pending.set(options.callId ?? '', reject)),
    cancel: async (callId) => {
      log.cancels.push(callId)
      pending.get(callId)?.(new EngineError('CANCELLED', callId))
      pending.delete(callId)
    },
    getNearestDc: async () => ({ country: 'NL', thisDc: 2, nearestDc: 2 }),
    getConfig: (_dcId, callId) => new Promise((_resolve, reject) => pending.set(callId ?? '', reject)),
    saveFilePart: async (_id, _part, _bytes, _dcId, pool) => (log.filePools.push(pool), true),
    getFile: async (_id, _offset, _limit, _dcId, pool) => (log.filePools.push(pool), new Uint8Array(1)),
    onKeyEvent: async (listener) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    close: async () => void log.closes++,
  })
  const emit = (e: KeyEvent): void => listeners.forEach((l) => l(e))
  return { engine, listeners, pending, log, emit }
}

const open: MessagePort[] = []
afterEach(() => {
  for (const p of open.splice(0)) p.close()
})

function setup() {
  registerWireHandlers()
  const engines: ReturnType<typeof fakeEngine>[] = []
  const locks = new Map<string, () => void>()
  const serve = createTabHost({
    makeEngine: () => {
      const e = fakeEngine()
      engines.push(e)
      return e.engine
    },
    whenGone: (lock) => new Promise<void>((resolve) => locks.set(lock, resolve)),
  })
  /** A tab: its Comlink remote, its call port's page end, and a way to make it vanish. */
  async function tab(lock: string) {
    const main = new MessageChannel()
    const calls = new MessageChannel()
    open.push(main.port1, main.port2, calls.port1, calls.port2)
    serve(main.port1)
    const remote: Remote<ExposedApi> = wrap<ExposedApi>(main.port2)
    await remote.openCallPort(transfer(calls.port2, [calls.port2]), lock)
    return { remote, mainPort: main.port2, callPort: calls.port1, vanish: () => locks.get(lock)?.() }
  }
  return { engines, tab }
}

describe('one engine for every tab', () => {
  it('tabs share one engine, init runs once; a tab with other options is refused', async () => {
    const { engines, tab } = setup()
    const a = await tab('a')
    const b = await tab('b')
    await Promise.all([a.remote.init(OPTIONS), b.remote.init(OPTIONS)])
    expect(engines).toHaveLength(1)
    expect(engines[0]?.log.inits).toBe(1)
    const c = await tab('c')
    await expect(c.remote.init({ ...OPTIONS, defaultDcId: 4 })).rejects.toMatchObject({ code: 'OPTIONS_MISMATCH' })
  })

  it('a tab gone without close(): its listeners are dropped, its calls (invoke and the helpers) cancelled, its ports closed; the other tab is served on', async () => {
    const { engines, tab } = setup()
    const a = await tab('a')
    const b = await tab('b')
    const seenA: string[] = []
    const seenB: string[] = []
    await a.remote.onKeyEvent(proxy((e: KeyEvent) => void seenA.push(e.kind)))
    await b.remote.onKeyEvent(proxy((e: KeyEvent) => void seenB.push(e.kind)))
    const engine = engines[0] as ReturnType<typeof fakeEngine>
    expect(engine.listeners.size).toBe(2)
    void a.remote.invoke(new Uint8Array(4)).catch(() => undefined)
    void a.remote.invoke(new Uint8Array(4), { callId: 'mine' }).catch(() => undefined)
    void a.remote.getConfig(2).catch(() => undefined)
    const bCall = b.remote.invoke(new Uint8Array(4), { callId: 'mine' })
    await expect.poll(() => engine.pending.size).toBe(4)

    const closed = [a.callPort, a.mainPort].map((p) => once(p as unknown as NodeMessagePort, 'close'))
    a.vanish()
    await Promise.all(closed)
    expect(engine.listeners.size).toBe(1)
    expect(engine.log.cancels.sort()).toEqual(['1:#1', '1:#2', '1:mine'])
    expect([...engine.pending.keys()]).toEqual(['2:mine'])
    expect(engine.log.closes).toBe(0)

    engine.emit({ dcId: 2, kind: 'rotated', keyId: 'aa', keyKind: 'temp', at: 1 })
    await expect.poll(() => seenB).toEqual(['rotated'])
    expect(seenA).toEqual([])
    await b.remote.cancel('mine')
    await expect(bCall).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(await b.remote.getNearestDc(2)).toMatchObject({ thisDc: 2 })
  })

  it('a tab\'s file calls keep the pool it chose (upload/download by default, main when asked)', async () => {
    const { engines, tab } = setup()
    const a = await tab('a')
    await a.remote.saveFilePart(1n, 0, new Uint8Array(4), 2, 'main')
    await a.remote.getFile(1n, 0, 4096, 2, 'main')
    await a.remote.getFile(1n, 0, 4096, 2)
    expect(engines[0]?.log.filePools).toEqual(['main', 'main', undefined])
  })

  it('a tab cannot cancel another tab\'s call by its id', async () => {
    const { engines, tab } = setup()
    const a = await tab('a')
    const b = await tab('b')
    const aCall = a.remote.invoke(new Uint8Array(4), { callId: 'x' })
    await expect.poll(() => engines[0]?.pending.size).toBe(1)
    await b.remote.cancel('x')
    expect(engines[0]?.pending.has('1:x')).toBe(true)
    await a.remote.cancel('x')
    await expect(aCall).rejects.toMatchObject({ code: 'CANCELLED' })
  })

  it('the last tab out closes the engine, once; the next tab to connect gets a new one', async () => {
    const { engines, tab } = setup()
    const a = await tab('a')
    const b = await tab('b')
    await a.remote.close()
    // The lock comes free after an explicit close too: a tab leaves once.
    a.vanish()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(engines[0]?.log.closes).toBe(0)
    b.vanish()
    await expect.poll(() => engines[0]?.log.closes).toBe(1)

    const c = await tab('c')
    await c.remote.init(OPTIONS)
    expect(engines).toHaveLength(2)
    expect(engines[1]?.log.inits).toBe(1)
  })
})
