/**
 * Rotation through the real Worker and Comlink in Chromium, against the real server: 5 s
 * temp keys for 40 s under 20 calls/s through the public client. What a user would notice
 * is asserted, never how fast: no call fails, the keys keep rotating, the perm key stays,
 * no call meets a -404 and the server sees no API message under the perm key. Timing
 * rules (make-before-break at the server, the storm budget) are proven in virtual time by
 * the simulation (packages/worker/src/sim); the latency figures are `pnpm bench:rotation`.
 */
import { ControlClient } from '@pfs-web/control-client'
import { afterAll, describe, expect, it } from 'vitest'
import { CallStream, fileSliceProbe, isolatedServer, lifecycleClient, sleep, summary } from '../../test/lifecycle-harness.ts'

const DC = 2
const RUN_MS = 40_000
const server = isolatedServer('rotation')
const control = new ControlClient(server.controlUrl)
const lc = lifecycleClient(server, DC, { tempKeyLifetimeS: [5, 5], rotationMarginS: 3 })

afterAll(() => lc.dispose())

describe('rotation: 5 s temp keys for 40 s at 20 calls/s', () => {
  it('keys rotate, every call is answered, no -404, the perm key is kept, nothing goes under it', { timeout: 120_000 }, async () => {
    const first = await lc.client.connect(DC)
    expect(first).toMatchObject({ status: 'ready', bound: true })
    const probe = await fileSliceProbe(lc.client, DC, 0x6a0_7a7en)
    const statsBefore = await control.stats()
    const stream = new CallStream(lc.client, probe, 20).start()
    await sleep(RUN_MS)
    const calls = await stream.stop()
    const [state] = await lc.client.states()
    const statsAfter = await control.stats()

    const s = summary(calls)
    expect(s.total).toBeGreaterThan(0)
    expect(s).toMatchObject({ ok: s.total, wrong: 0, failed: 0, pending: 0 })
    // 40 s of 5 s keys: however slow the machine, several rotations happen (not a rate)
    expect(state?.rotations).toBeGreaterThanOrEqual(3)
    expect(state?.permKeyId).toBe(first.permKeyId)
    // the server keeps a replaced key bound until it expires (pfs §1.6): no call meets -404
    expect((statsAfter.transportErrors['-404'] ?? 0) - (statsBefore.transportErrors['-404'] ?? 0)).toBe(0)
    expect(lc.events.filter((e) => e.kind === 'not-found-404')).toEqual([])
    expect(statsAfter.violations.count).toBe(statsBefore.violations.count)
  })
})
