/**
 * Issue #16 in virtual time: the network goes away for longer than a temp key lives and
 * comes back, and the client sleeps with its sockets left half-open. The real engine and
 * the real server, with the sim's invariants checked at every step (among them: no packet
 * under a temp key past its expires_at, every call settled once).
 */
import { describe, expect, it } from 'vitest'
import { runSeed } from './run-seed.ts'
import type { Scenario } from './scenario.ts'

const LIMITS = { lifetimes: 1, faultsPerLifetime: 0, maxCalls: 2_000 }
const CALM: Partial<Scenario> = { latencyMs: 5, jitterMs: 0, faults: [], bindingMode: 'many', timeoutMs: [600_000, 600_000] }
const OFF = 40_000
const ON = OFF + 3 * 60_000

describe('network and lifecycle (issue #16)', () => {
  it('offline 3 minutes across the key\'s expiry, then online: no socket tried while offline, reconnect at once, the key replaced before any call, every call ok', async () => {
    const r = await runSeed(1616, LIMITS, {
      ...CALM,
      lifetimeS: [60, 60],
      durationMs: 320_000,
      load: [{ from: 0, to: 300_000, callsPerSecond: 1 }],
      network: [
        { at: OFF, event: 'offline' },
        { at: ON, event: 'online' },
      ],
    })
    expect(r.violations).toEqual([])
    expect(r.callLog.length).toBeGreaterThan(250)
    expect(r.callLog.filter((c) => c.outcome !== 'ok')).toEqual([])
    // no reconnect storm: while offline not one socket was opened
    expect(r.socketOpenTimes.filter((t) => t > OFF && t < ON)).toEqual([])
    // online: a socket at once, not after a backoff grown while offline
    expect(r.socketOpenTimes.find((t) => t >= ON)! - ON).toBeLessThan(100)
    // the key that expired offline was dropped while offline; the first call answered after
    // online waited for a new bound key (the server's expiry check saw no packet under the old one)
    const firstNew = r.keyEvents.find((e) => e.t >= ON && e.kind === 'bound')!
    const answeredAfter = r.callLog.filter((c) => c.start < ON && c.end >= ON).map((c) => c.end)
    expect(Math.min(...answeredAfter)).toBeGreaterThanOrEqual(firstNew.t)
    expect(r.keyEvents.some((e) => e.kind === 'dropped' && e.t > OFF && e.t < ON)).toBe(true)
  }, 120_000)

  it('a sleep past the key\'s expiry, then resume: the key is replaced at once, before any call', async () => {
    const WAKE = 100_000
    const r = await runSeed(1617, LIMITS, {
      ...CALM,
      lifetimeS: [600, 600],
      durationMs: 160_000,
      load: [{ from: 0, to: 60_000, callsPerSecond: 1 }],
      network: [{ at: WAKE, event: 'resume', sleepS: 1_200 }],
    })
    expect(r.violations).toEqual([])
    expect(r.callLog.filter((c) => c.outcome !== 'ok')).toEqual([])
    const started = r.keyEvents.filter((e) => e.kind === 'handshake-started' && e.t >= WAKE).map((e) => e.t)
    // at once: within storm control's first-retry spread (250 ms), not at the next timer
    expect(started[0]! - WAKE).toBeLessThan(300)
  }, 120_000)

  it('a short sleep with the sockets left half-open, then resume: the check finds the dead socket and reopens it without waiting for a call', async () => {
    const WAKE = 100_000
    const stallMs = 15_000
    const r = await runSeed(1618, LIMITS, {
      ...CALM,
      lifetimeS: [86_400, 86_400],
      durationMs: 200_000,
      load: [{ from: 0, to: 60_000, callsPerSecond: 1 }],
      network: [{ at: WAKE, event: 'resume', sleepS: 30 }],
    })
    expect(r.violations).toEqual([])
    expect(r.callLog.filter((c) => c.outcome !== 'ok')).toEqual([])
    const reopened = r.socketOpenTimes.filter((t) => t > WAKE)
    expect(reopened.length).toBeGreaterThan(0)
    expect(reopened[0]! - WAKE).toBeLessThanOrEqual(stallMs + 1_000)
  }, 120_000)
})
