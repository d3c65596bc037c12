/**
 * ServiceRequests on a fake lane and fake timers: the DC's own requests (the bind) are
 * answered, resent under a new msg_id, held for the clock, failed with their lane, or timed out.
 */
import { describe, expect, it } from 'vitest'
import type { EngineEnv } from '../../env.ts'
import type { Lane } from './lane.ts'
import { ServiceRequests } from './service-requests.ts'

function setup(o: { sendFails?: boolean } = {}) {
  const timers: { ms: number; fn: () => void; cancelled: boolean }[] = []
  const env = {
    setTimer: (ms: number, fn: () => void) => {
      const t = { ms, fn, cancelled: false }
      timers.push(t)
      return () => void (t.cancelled = true)
    },
  } as unknown as EngineEnv
  let next = 100n
  const sent: bigint[] = []
  const stalls: string[] = []
  const lane = {
    async send() {
      if (o.sendFails) throw Object.assign(new Error('down'), { code: 'CLOSED' })
      next += 4n
      sent.push(next)
      return [{ msgId: next, containerId: null, sessionId: 1n }]
    },
    stallEvent: (e: { type: string }) => void stalls.push(e.type),
  } as unknown as Lane
  const service = new ServiceRequests(env)
  const flush = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }
  return { service, lane, sent, stalls, timers, flush }
}

const body = () => new Uint8Array(4)

describe('ServiceRequests', () => {
  it('an rpc_result for its msg_id answers it; another msg_id is not ours', async () => {
    const s = setup()
    const p = s.service.request(s.lane, body, 5_000)
    await s.flush()
    expect(s.stalls).toEqual(['sent-request'])
    expect(s.service.pendingOn(s.lane)).toBe(true)
    expect(s.service.answer(s.sent[0]! + 4n, { _: 'boolTrue' })).toBe(false)
    expect(s.service.answer(s.sent[0]!, { _: 'boolTrue' })).toBe(true)
    await expect(p).resolves.toEqual({ _: 'boolTrue' })
    expect(s.service.pendingOn(s.lane)).toBe(false)
    expect(s.timers[0]!.cancelled).toBe(true)
  })

  it('encryption.md §6: a bad_msg or bad_server_salt for it sends it again; only the new msg_id answers it', async () => {
    const s = setup()
    const p = s.service.request(s.lane, body, 5_000)
    await s.flush()
    s.service.resend(s.sent[0]!)
    await s.flush()
    expect(s.sent).toHaveLength(2)
    expect(s.service.answer(s.sent[0]!, { _: 'boolTrue' })).toBe(false)
    expect(s.service.answer(s.sent[1]!, { _: 'boolFalse' })).toBe(true)
    await expect(p).resolves.toEqual({ _: 'boolFalse' })
  })

  it('issue #18: held for the clock, it goes out again at the next good sync, once', async () => {
    const s = setup()
    const p = s.service.request(s.lane, body, 5_000)
    await s.flush()
    s.service.holdForClock(s.sent[0]!)
    s.service.clockSynced()
    await s.flush()
    s.service.clockSynced()
    await s.flush()
    expect(s.sent).toHaveLength(2)
    s.service.answer(s.sent[1]!, { _: 'boolTrue' })
    await expect(p).resolves.toEqual({ _: 'boolTrue' })
  })

  it('its lane going down fails it with the lane\'s error', async () => {
    const s = setup()
    const p = s.service.request(s.lane, body, 5_000)
    await s.flush()
    s.service.failLane(s.lane, Object.assign(new Error('gone'), { code: 'STALLED' }))
    await expect(p).rejects.toMatchObject({ code: 'STALLED' })
    expect(s.service.pendingOn(s.lane)).toBe(false)
  })

  it('no answer by its deadline: TIMEOUT, and a late answer is no longer its', async () => {
    const s = setup()
    const p = s.service.request(s.lane, body, 5_000)
    await s.flush()
    expect(s.timers[0]!.ms).toBe(5_000)
    s.timers[0]!.fn()
    await expect(p).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(s.service.answer(s.sent[0]!, { _: 'boolTrue' })).toBe(false)
  })

  it('a send that fails fails the request at once', async () => {
    const s = setup({ sendFails: true })
    await expect(s.service.request(s.lane, body, 5_000)).rejects.toMatchObject({ code: 'CLOSED' })
  })
})
