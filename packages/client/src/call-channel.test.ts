import { RpcError } from '@pfs-web/errors'
import { bindApi, type WorkerApi } from '@pfs-web/worker'
import { afterEach, describe, expect, it } from 'vitest'
import { CallChannel } from './call-channel.ts'

const ports: MessagePort[] = []
afterEach(() => {
  for (const p of ports.splice(0)) p.close()
})

/** A CallChannel on a port served by bindApi over `methods` (the rest of the engine unused). */
function channelTo(methods: Partial<WorkerApi>): CallChannel {
  const { port1, port2 } = new MessageChannel()
  ports.push(port1, port2)
  bindApi(methods as WorkerApi).openCallPort(port2)
  return new CallChannel(port1)
}

describe('CallChannel', () => {
  it('matches answers to calls, rebuilds typed errors and forgets settled calls', async () => {
    const channel = channelTo({
      getNearestDc: async (dcId) => ({ country: 'NL', thisDc: dcId ?? 2, nearestDc: 4 }),
      invoke: () => Promise.reject(new RpcError(400, 'BAD_REQUEST')),
    })
    const [a, b, c] = await Promise.allSettled([
      channel.call('getNearestDc', [1]),
      channel.call('invoke', [new Uint8Array([1]), {}]),
      channel.call('getNearestDc', [5]),
    ])
    expect(a).toEqual({ status: 'fulfilled', value: { country: 'NL', thisDc: 1, nearestDc: 4 } })
    expect(c).toEqual({ status: 'fulfilled', value: { country: 'NL', thisDc: 5, nearestDc: 4 } })
    expect(b.status === 'rejected' && b.reason instanceof RpcError && b.reason.code === 400).toBe(true)
    expect(channel.size).toBe(0)
  })

  it('calls issued in one turn reach the worker as one message, and their answers return as one', async () => {
    const { port1, port2 } = new MessageChannel()
    ports.push(port1, port2)
    let requests = 0
    let answers = 0
    // Counted ahead of the handlers: a browser runs the awaiting test between two listeners.
    port2.addEventListener('message', () => void requests++)
    port1.addEventListener('message', () => void answers++)
    bindApi({ getNearestDc: async (dcId?: number) => ({ country: 'NL', thisDc: dcId ?? 2, nearestDc: 4 }) } as WorkerApi).openCallPort(port2)
    const channel = new CallChannel(port1)
    const got = await Promise.all([1, 2, 3, 4, 5].map((dc) => channel.call<{ thisDc: number }>('getNearestDc', [dc])))
    expect(got.map((g) => g.thisDc)).toEqual([1, 2, 3, 4, 5])
    expect([requests, answers]).toEqual([1, 1])
  })

  it('failAll rejects what hangs, and every later call, with the first failure', async () => {
    const channel = channelTo({ getConfig: () => new Promise<never>(() => {}) })
    const hanging = channel.call('getConfig', [])
    const first = { code: 'CLOSED' }
    channel.failAll(first)
    channel.failAll({ code: 'LATER' })
    await expect(hanging).rejects.toBe(first)
    await expect(channel.call('getConfig', [])).rejects.toBe(first)
    expect(channel.size).toBe(0)
  })

  it('a request that cannot be posted rejects and is not left pending', async () => {
    const channel = channelTo({})
    await expect(channel.call('invoke', [() => 1])).rejects.toThrow()
    expect(channel.size).toBe(0)
  })
})
