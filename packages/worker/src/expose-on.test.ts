/**
 * The boundary over a real MessageChannel (Node and Chromium both have one): what crosses,
 * what is refused, and what the other side rebuilds.
 */
import { wrap, proxy, type Remote } from 'comlink'
import { FloodWaitError, PfsError, RpcError, TransportError } from '@pfs-web/errors'
import { SecurityError } from '@pfs-web/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { DcStateView, WorkerApi } from './api.ts'
import { bindApi, exposeOn } from './expose-on.ts'
import { EngineError } from './errors.ts'
import { registerWireHandlers, WireError } from './wire.ts'
import { stubWorkerApi } from '../test/stub-worker-api.ts'

const ports: MessagePort[] = []
afterEach(() => {
  for (const p of ports.splice(0)) p.close()
})

function serve(engine: WorkerApi): Remote<WorkerApi> {
  registerWireHandlers()
  const { port1, port2 } = new MessageChannel()
  ports.push(port1, port2)
  exposeOn(port1, engine)
  return wrap<WorkerApi>(port2)
}

function state(dcId: number, rotations: number): DcStateView {
  return {
    dcId, status: 'ready', waitReason: null, permKeyId: 'aa', tempKeyId: 'bb', nextTempKeyId: null, bound: true,
    expiresAt: 100, nextRotationAt: 90, serverTimeOffset: 0, handshakes: { perm: 1, temp: 1 }, binds: 1,
    rotations, rebinds: 0, last404: null, stormBackoffUntil: null, lastError: null, pendingCalls: 0,
  }
}

describe('bindApi', () => {
  it('is a frozen object holding exactly the WorkerApi methods and openCallPort, all functions', () => {
    const api = bindApi(stubWorkerApi({}))
    expect(Object.isFrozen(api)).toBe(true)
    expect(Object.keys(api).sort()).toEqual([...Object.keys(stubWorkerApi({})), 'openCallPort'].sort())
    for (const value of Object.values(api)) expect(typeof value).toBe('function')
  })
})

describe('errors cross as their own class with code', () => {
  it.each([
    { name: 'RpcError', thrown: new RpcError(420, 'FLOOD_WAIT_3'), cls: RpcError, code: 420 },
    { name: 'FloodWaitError', thrown: new FloodWaitError(420, 'FLOOD_PREMIUM_WAIT_75'), cls: FloodWaitError, code: 420, seconds: 75 },
    { name: 'TransportError', thrown: new TransportError(-404, 'auth key not found'), cls: TransportError, code: -404 },
    { name: 'EngineError', thrown: new EngineError('NOT_BOUND', 'bind first'), cls: EngineError, code: 'NOT_BOUND' },
    { name: 'SecurityError', thrown: new SecurityError('MSG_KEY_MISMATCH'), cls: SecurityError, code: 'MSG_KEY_MISMATCH' },
  ])('$name', async ({ thrown, cls, code }) => {
    const remote = serve(stubWorkerApi({ connect: () => Promise.reject(thrown) }))
    const error: unknown = await remote.connect(2).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(cls)
    expect(error).toBeInstanceOf(PfsError)
    expect(error).toMatchObject({ code, message: thrown.message, name: thrown.name })
    if (thrown instanceof FloodWaitError) expect(error).toMatchObject({ seconds: thrown.seconds })
  })

  it('an unregistered subclass arrives as PfsError with its code and name', async () => {
    class HomegrownError extends PfsError {}
    const remote = serve(stubWorkerApi({ connect: () => Promise.reject(new HomegrownError('X_CODE', 'm')) }))
    const error: unknown = await remote.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PfsError)
    expect(error).toMatchObject({ code: 'X_CODE', name: 'HomegrownError' })
  })

  it('a plain Error still crosses as an Error with its message', async () => {
    const remote = serve(stubWorkerApi({ connect: () => Promise.reject(new TypeError('plain')) }))
    const error: unknown = await remote.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ message: 'plain', name: 'TypeError' })
  })
})

describe('only method calls are served', () => {
  it('reading a property answers WireError NOT_EXPOSED', async () => {
    const remote = serve(stubWorkerApi({}))
    const error: unknown = await Promise.resolve(remote.init).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WireError)
    expect(error).toMatchObject({ code: 'NOT_EXPOSED' })
  })

  it('calling through a nested path answers NOT_EXPOSED', async () => {
    const remote = serve(stubWorkerApi({ states: async () => [] }))
    const nested = remote.states as unknown as { call: (thisArg: unknown) => Promise<unknown> }
    await expect(nested.call(null)).rejects.toMatchObject({ code: 'NOT_EXPOSED' })
  })
})

describe('bytes move, not copy', () => {
  it('an invoke result is transferred out of the engine', async () => {
    const result = new Uint8Array(4096).fill(7)
    const remote = serve(stubWorkerApi({ invoke: async () => result }))
    const got = await remote.invoke(new Uint8Array([1]))
    expect(got).toEqual(new Uint8Array(4096).fill(7))
    expect(result.byteLength).toBe(0)
  })

  it('a result that is a view into a larger buffer is copied: the buffer stays put', async () => {
    const backing = new Uint8Array(64).fill(9)
    const view = backing.subarray(8, 16)
    const remote = serve(stubWorkerApi({ getFile: async () => view }))
    const got = await remote.getFile(1n, 0, 8)
    expect(got.buffer.byteLength).toBe(8)
    expect(backing.byteLength).toBe(64)
  })
})

describe('subscriptions', () => {
  it('delivers engine snapshots and the returned unsubscribe reaches the engine', async () => {
    const listeners = new Set<(s: DcStateView[]) => void>()
    const remote = serve(stubWorkerApi({
      subscribe: async (l) => {
        listeners.add(l)
        return () => listeners.delete(l)
      },
    }))
    const seen: number[] = []
    let resolveFirst: () => void = () => {}
    const first = new Promise<void>((r) => (resolveFirst = r))
    const unsubscribe = await remote.subscribe(proxy((s: DcStateView[]) => {
      seen.push(s[0]?.rotations ?? -1)
      resolveFirst()
    }))
    expect(listeners.size).toBe(1)
    for (const l of listeners) l([state(2, 5)])
    await first
    expect(seen).toEqual([5])
    await unsubscribe()
    expect(listeners.size).toBe(0)
  })
})
