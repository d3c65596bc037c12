/**
 * FLOOD_WAIT_X in virtual time (issue #16): the real engine against the real server core,
 * whose flood-wait fault answers a chosen method with 420. The call goes out again after
 * the server's X seconds of the engine's clock, not a local guess; above floodWaitMaxS the
 * caller gets FloodWaitError with X at once.
 */
import { FloodWaitError } from '@pfs-web/errors'
import { afterEach, describe, expect, it } from 'vitest'
import type { KeyEvent } from '../api.ts'
import { World } from './world.ts'

let world: World | null = null
afterEach(async () => {
  await world?.engine.close()
  world?.dispose()
  world = null
})

async function connected(seed: number): Promise<{ w: World; events: KeyEvent[] }> {
  const w = (world = new World({ seed, tempKeyLifetimeS: [3_600, 3_600], defaultTimeoutMs: 60_000 }))
  await w.engine.init({ ...w.options(), floodWaitMaxS: 30 })
  const events: KeyEvent[] = []
  await w.engine.onKeyEvent((e) => void events.push(e))
  const ready = w.engine.connect()
  await w.time.runUntil(10_000)
  await ready
  return { w, events }
}

const nearestCalls = (w: World): number => w.core.stats().apiCalls['help.getNearestDc'] ?? 0

describe('FLOOD_WAIT_X in virtual time (issue #16)', () => {
  it('api/errors 420: FLOOD_WAIT_20 under a 30 s cap → sent again 20 s of engine time later and answered', async () => {
    const { w, events } = await connected(4201)
    await w.core.faults.apply({ type: 'flood-wait', method: 'help.getNearestDc', seconds: 20 })
    const before = nearestCalls(w)
    const t0 = w.time.now
    let answeredAt: number | null = null
    const call = w.engine.getNearestDc().then((n) => {
      answeredAt = w.time.now
      return n
    })
    await w.time.runUntil(t0 + 19_900)
    expect(answeredAt).toBeNull()
    expect(nearestCalls(w) - before).toBe(1)
    await w.time.runUntil(t0 + 21_000)
    await expect(call).resolves.toMatchObject({ thisDc: 2 })
    expect(nearestCalls(w) - before).toBe(2)
    // the wait is the server's X: the resend left at t0 + 20 s (plus the sim's link latency)
    expect(answeredAt).toBeGreaterThanOrEqual(t0 + 20_000)
    expect(answeredAt).toBeLessThan(t0 + 20_100)
    expect(events.filter((e) => e.kind === 'flood-wait')).toMatchObject([{ seconds: 20, detail: 'help.getNearestDc', keyKind: 'temp' }])
  }, 60_000)

  it('api/errors 420: FLOOD_PREMIUM_WAIT_45 above the 30 s cap → FloodWaitError { code: 420, seconds: 45 } without waiting, nothing resent', async () => {
    const { w } = await connected(4202)
    await w.core.faults.apply({ type: 'flood-wait', method: 'help.getNearestDc', seconds: 45, premium: true })
    const before = nearestCalls(w)
    const t0 = w.time.now
    let settledAt: number | null = null
    const call = w.engine.getNearestDc().finally(() => void (settledAt = w.time.now))
    call.catch(() => undefined)
    await w.time.runUntil(t0 + 1_000)
    const error: unknown = await call.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FloodWaitError)
    expect(error).toMatchObject({ code: 420, seconds: 45, message: 'FLOOD_PREMIUM_WAIT_45' })
    expect(settledAt).toBeLessThan(t0 + 1_000)
    await w.time.runUntil(t0 + 60_000)
    expect(nearestCalls(w) - before).toBe(1)
  }, 60_000)
})
