/**
 * The call port over a real MessageChannel (Node and Chromium both have one), as the page
 * uses it: flat requests, answers by id, errors rebuilt as their class, big bytes moved and
 * small ones copied.
 */
import { FloodWaitError, PfsError, RpcError } from '@pfs-web/errors'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkerApi } from './api.ts'
import { ANSWER_OK, ANSWER_THROWN } from './call-port.ts'
import { bindApi } from './expose-on.ts'
import { thrownFromWire, WireError } from './wire.ts'
import { stubWorkerApi } from '../test/stub-worker-api.ts'

const ports: MessagePort[] = []
afterEach(() => {
  for (const p of ports.splice(0)) p.close()
})

/** Opens a call port on bindApi(engine); `call` posts one request and reads its answer. */
function open(engine: WorkerApi): { call: (method: string, ...args: unknown[]) => Promise<unknown>; post: (message: unknown) => void } {
  const { port1, port2 } = new MessageChannel()
  ports.push(port1, port2)
  bindApi(engine).openCallPort(port2)
  const waiting = new Map<number, (answer: unknown[]) => void>()
  port1.onmessage = (event: MessageEvent<unknown[][]>) => event.data.forEach((answer) => waiting.get(answer[0] as number)?.(answer))
  let next = 1
  return {
    post: (message) => port1.postMessage(message),
    call: (method, ...args) =>
      new Promise((resolve, reject) => {
        const id = next++
        waiting.set(id, (answer) => (answer[1] === ANSWER_OK ? resolve(answer[2]) : reject(thrownFromWire(answer[2]))))
        port1.postMessage([[id, method, ...args]])
      }),
  }
}

describe('call port', () => {
  it('answers each call by its id with the engine value, however they interleave', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const port = open(stubWorkerApi({
      getConfig: async () => {
        await gate
        return { date: 1, expires: 2, thisDc: 2, testMode: false, dcOptions: [] }
      },
      getNearestDc: async (dcId) => ({ country: 'NL', thisDc: dcId ?? 0, nearestDc: 4 }),
    }))
    const slow = port.call('getConfig')
    await expect(port.call('getNearestDc', 3)).resolves.toEqual({ country: 'NL', thisDc: 3, nearestDc: 4 })
    release()
    await expect(slow).resolves.toMatchObject({ thisDc: 2 })
  })

  it('an RpcError crosses as RpcError with its code; a plain Error by name and message', async () => {
    const port = open(stubWorkerApi({
      invoke: () => Promise.reject(new RpcError(420, 'FLOOD_WAIT_3')),
      connect: () => Promise.reject(new TypeError('plain')),
      getConfig: () => Promise.reject(new FloodWaitError(420, 'FLOOD_WAIT_120')),
    }))
    const rpc: unknown = await port.call('invoke', new Uint8Array([1])).catch((e: unknown) => e)
    expect(rpc).toBeInstanceOf(RpcError)
    expect(rpc).toMatchObject({ code: 420, message: 'FLOOD_WAIT_3' })
    const flood: unknown = await port.call('getConfig').catch((e: unknown) => e)
    expect(flood).toBeInstanceOf(FloodWaitError)
    expect(flood).toMatchObject({ code: 420, seconds: 120 })
    await expect(port.call('connect')).rejects.toMatchObject({ name: 'TypeError', message: 'plain' })
  })

  it('a method off the list (init, subscribe, close) answers NOT_EXPOSED and never runs', async () => {
    let closed = false
    const port = open(stubWorkerApi({ close: async () => void (closed = true), states: async () => [] }))
    for (const method of ['close', 'init', 'subscribe', 'openCallPort', 'toString']) {
      const error: unknown = await port.call(method).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(WireError)
      expect(error).toMatchObject({ code: 'NOT_EXPOSED' })
    }
    expect(closed).toBe(false)
    port.post("garbage")
    port.post([["not an id"], 7])
    await expect(port.call('states')).resolves.toEqual([])
  })

  it('an answer that cannot be cloned rejects with UNSERIALIZABLE instead of hanging', async () => {
    const port = open(stubWorkerApi({ states: async () => [() => 1] as never }))
    const error: unknown = await port.call('states').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PfsError)
    expect(error).toMatchObject({ code: 'UNSERIALIZABLE' })
  })

  it('a 512 KiB answer is moved out of the engine; a 64-byte one is copied', async () => {
    const big = new Uint8Array(512 * 1024).fill(5)
    const small = new Uint8Array(64).fill(6)
    const port = open(stubWorkerApi({ getFile: async (_id, _offset, limit) => (limit === 64 ? small : big) }))
    const gotBig = (await port.call('getFile', 1n, 0, big.length)) as Uint8Array
    const gotSmall = (await port.call('getFile', 1n, 0, 64)) as Uint8Array
    expect([gotBig.length, gotBig[0], gotSmall.length, gotSmall[0]]).toEqual([512 * 1024, 5, 64, 6])
    expect(big.byteLength).toBe(0)
    expect(small.byteLength).toBe(64)
  })

  it('a view into a larger buffer crosses as just its bytes', async () => {
    const backing = new Uint8Array(256 * 1024).fill(9)
    const port = open(stubWorkerApi({ invoke: async () => backing.subarray(1024, 1024 + 128 * 1024) }))
    const got = (await port.call('invoke', new Uint8Array([1]))) as Uint8Array
    expect(got.buffer.byteLength).toBe(128 * 1024)
    expect(backing.byteLength).toBe(256 * 1024)
  })
})
