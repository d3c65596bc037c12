/**
 * Issue #17, one socket per temp key, on the shipped engine and the real server core in
 * virtual time: a temp key's bind and calls go on the socket its handshake ran on, so a
 * run makes exactly one socket per handshake; a key moves only after a fault dropped its
 * socket (the invariant checks that in every seed).
 */
import { describe, expect, it } from 'vitest'
import { runSeed } from './run-seed.ts'
import type { PlannedFault, Scenario } from './scenario.ts'

const LIMITS = { lifetimes: 1, faultsPerLifetime: 0, maxCalls: 30_000 }

function scenario(durationMs: number, lifetimeS: number, faults: PlannedFault[]): Partial<Scenario> {
  return { lifetimeS: [lifetimeS, lifetimeS], latencyMs: 5, jitterMs: 0, durationMs, load: [{ from: 0, to: durationMs - 1_000, callsPerSecond: 10 }], faults, timeoutMs: [60_000, 60_000], bindingMode: 'many' }
}

describe('one socket per temp key (issue #17)', () => {
  it('5 s keys for 60 s, no fault: ≥ 10 rotations, one socket per handshake (perm and temp), no key ever moves, every call answered', async () => {
    const r = await runSeed(31, LIMITS, scenario(60_000, 5, []))
    console.log(`[figure] no fault: ${r.socketOpenTimes.length} sockets for ${r.handshakes} handshakes (${r.tempKeys} temp keys), ${r.keySocketMoves} moves`)
    expect(r.violations).toEqual([])
    expect(r.keyEvents.filter((e) => e.kind === 'rotated').length).toBeGreaterThanOrEqual(10)
    expect(r.socketOpenTimes.length).toBe(r.handshakes)
    expect(r.keySocketMoves).toBe(0)
    expect(r.callLog.filter((c) => c.outcome !== 'ok')).toEqual([])
  }, 60_000)

  it('links cut under traffic: each key reconnects on a new socket only after its own was cut; calls after the cuts are answered', async () => {
    const cuts: PlannedFault[] = [10_000, 22_500, 37_000].map((at) => ({ at, kind: 'cut-link', durationMs: 0, size: 0 }))
    const r = await runSeed(32, LIMITS, scenario(60_000, 30, cuts))
    console.log(`[figure] 3 cuts: ${r.socketOpenTimes.length} sockets for ${r.handshakes} handshakes, ${r.keySocketMoves} moves`)
    expect(r.violations).toEqual([])
    expect(r.faults['cut-link']).toBe(3)
    // the cuts did land on sockets carrying keys: the test has teeth
    expect(r.keySocketMoves).toBeGreaterThan(0)
    expect(r.socketOpenTimes.length).toBeLessThanOrEqual(r.handshakes + 3)
    expect(r.callLog.filter((c) => c.start > 40_000 && c.outcome !== 'ok')).toEqual([])
  }, 60_000)
})
