/**
 * Issue #6, a 60 s -404 storm (every encrypted packet answered -404) in real Chromium:
 * storm control must keep re-handshakes at ≤ 6 per sliding minute per DC, counting every
 * handshake (pfs-and-errors.md §1.7; policy/pfs/storm-control.ts), and the client must come back
 * by itself once the storm ends, with the calls made during the storm answered.
 */
import { ControlClient } from '@pfs-web/control-client'
import { afterAll, describe, expect, it } from 'vitest'
import { CallStream, figure, isolatedServer, lifecycleClient, nearestDcProbe, sleep, summary, until } from '../../test/lifecycle-harness.ts'

const DC = 3
const STORM_S = 60
const server = isolatedServer('storm')
const control = new ControlClient(server.controlUrl)
// Calls made during the storm wait for a bound key; let them outlive storm + backoff.
const lc = lifecycleClient(server, DC, { defaultTimeoutMs: 170_000 })

afterAll(async () => {
  await control.fault({ type: 'clear' })
  await lc.dispose()
})

/** Most timestamps inside any window of `windowMs`. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0
  for (const t of times) best = Math.max(best, times.filter((u) => u >= t && u < t + windowMs).length)
  return best
}

describe('-404 storm for 60 s', () => {
  it('≤ 6 handshakes per sliding minute during the storm, then a clean recovery', { timeout: 200_000 }, async () => {
    const before = await lc.client.connect(DC)
    const probe = nearestDcProbe(DC)
    expect(await probe(lc.client, 0)).toBe(true)

    // Every temp handshake the server completes for this DC, timestamped by polling.
    const handshakeTimes: number[] = []
    let last = (await control.stats()).handshakes.temp[String(DC)] ?? 0
    let polling = true
    const poll = (async () => {
      while (polling) {
        const n = (await control.stats()).handshakes.temp[String(DC)] ?? 0
        for (; last < n; last++) handshakeTimes.push(Date.now())
        await sleep(200)
      }
    })()

    const stormStart = Date.now()
    await control.fault({ type: 'storm-404', seconds: STORM_S })
    const stream = new CallStream(lc.client, probe, 1).start()
    await sleep(STORM_S * 1000)
    const stormEnd = stormStart + STORM_S * 1000
    const recovered = await until(() => stream.calls.find((c) => c.issuedAt >= stormEnd && c.outcome === 'ok'), 120_000, 100)
    const calls = await stream.stop()
    polling = false
    await poll
    const after = (await lc.client.states())[0]

    const inStorm = handshakeTimes.filter((t) => t >= stormStart && t < stormEnd)
    const perMinute = maxInWindow(inStorm, 60_000)
    const s = summary(calls)
    figure('storm', {
      handshakesInStorm: inStorm.length,
      maxPerSlidingMinute: perMinute,
      handshakeOffsetsS: handshakeTimes.map((t) => +((t - stormStart) / 1000).toFixed(1)),
      recoveryAfterStormMs: Math.round(recovered.issuedAt + (recovered.latencyMs ?? 0) - stormEnd),
      calls: s,
    })
    expect(inStorm.length).toBeGreaterThanOrEqual(2)
    expect(perMinute).toBeLessThanOrEqual(6)
    // every call, made during the storm or after it, was answered right
    expect(s).toMatchObject({ ok: s.total, wrong: 0, failed: 0, pending: 0 })
    expect(after).toMatchObject({ status: 'ready', bound: true, permKeyId: before.permKeyId })
  })
})
