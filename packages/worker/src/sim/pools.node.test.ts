/**
 * Issue #15 in virtual time: a DC's main, upload ×2, download and media connections each
 * rotate their own 5 s temp keys under one perm key, with the sim's invariants (no API
 * message under a perm key, make-before-break, one socket per temp key, the rotation and
 * storm budgets per connection, every call settled once) and no call lost.
 */
import { describe, expect, it } from 'vitest'
import { runSeed, type SeedReport } from './run-seed.ts'
import type { Scenario } from './scenario.ts'

const LIMITS = { lifetimes: 1, faultsPerLifetime: 0, maxCalls: 2_000 }
const POOLS: Partial<Scenario> = {
  lifetimeS: [5, 5],
  latencyMs: 5,
  jitterMs: 2,
  durationMs: 60_000,
  load: [{ from: 0, to: 59_000, callsPerSecond: 6 }],
  faults: [],
  timeoutMs: [60_000, 60_000],
  bindingMode: 'many',
  pools: true,
}

const rotationsBy = (r: SeedReport) => {
  const by = new Map<string, number[]>()
  for (const e of r.keyEvents) if (e.kind === 'rotated') by.set(e.connection, [...(by.get(e.connection) ?? []), e.t])
  return by
}

describe('pools rotate independently (issue #15)', () => {
  it('5 s keys for 60 s: every connection rotates on its own, 1 perm key, 0 calls lost, every invariant kept', async () => {
    const r = await runSeed(1515, LIMITS, POOLS)
    expect(r.violations).toEqual([])
    const by = rotationsBy(r)
    expect([...by.keys()].sort()).toEqual(['download-0', 'main', 'media-0', 'upload-0', 'upload-1'])
    for (const [conn, times] of by) expect(times.length, conn).toBeGreaterThanOrEqual(8)
    // independent schedules: each connection's key was made when it started, not in step with main's
    expect(new Set([...by.values()].map((t) => t[0])).size).toBe(by.size)
    expect(r.keyEvents.filter((e) => e.kind === 'recovered' || e.kind === 'not-found-404')).toEqual([])
    // one perm handshake for the DC; every other handshake a temp key of one of the connections
    expect(r.handshakes - r.tempKeys).toBe(1)
    expect(r.callLog.length).toBeGreaterThan(300)
    expect(r.callLog.filter((c) => c.outcome !== 'ok')).toEqual([])
  }, 120_000)

  it('a seed replays: the same trace twice', async () => {
    const short = { ...POOLS, durationMs: 20_000, load: [{ from: 0, to: 19_000, callsPerSecond: 6 }] }
    const a = await runSeed(1516, LIMITS, short)
    const b = await runSeed(1516, LIMITS, short)
    expect(a.violations).toEqual([])
    expect(b.traceHash).toBe(a.traceHash)
    expect(a.keyEvents.some((e) => e.connection === 'upload-1')).toBe(true)
  }, 120_000)

  it('keepalive: idle pool lanes closed by the server stay closed until their next call, which reopens them and is answered', async () => {
    // day-long keys: no rotation opens a socket; calls for 150 s, none for 180 s, then again
    const r = await runSeed(1517, LIMITS, {
      ...POOLS,
      lifetimeS: [86_400, 86_400],
      durationMs: 400_000,
      load: [
        { from: 0, to: 150_000, callsPerSecond: 2 },
        { from: 330_000, to: 340_000, callsPerSecond: 2 },
      ],
    })
    expect(r.violations).toEqual([])
    expect(r.callLog.filter((c) => c.outcome !== 'ok')).toEqual([])
    // the server closed the pool lanes 75 s after their last ping; none reconnected while idle
    expect(r.socketOpenTimes.filter((t) => t > 150_000 && t < 330_000)).toEqual([])
    expect(r.socketOpenTimes.filter((t) => t >= 330_000).length).toBeGreaterThan(0)
  }, 120_000)
})
