/**
 * Rotation and storm control as the shipped engine performs them (edge/dc/temp-key-driver.ts driving
 * policy/pfs/temp-key-policy against the real server core), on virtual time: the properties the
 * policy promises, checked on the driver that ships rather than on a model of one.
 */
import { describe, expect, it } from 'vitest'
import { runSeed, type SeedReport } from './run-seed.ts'
import type { PlannedFault, Scenario } from './scenario.ts'

const LIMITS = { lifetimes: 1, faultsPerLifetime: 0, maxCalls: 30_000 }

/** A server that keeps every binding ('many') unless told to replace the old one; calls stop 1 s before the end. */
function scenario(durationMs: number, lifetimeS: number, callsPerSecond: number, faults: PlannedFault[], bindingMode: Scenario['bindingMode'] = 'many'): Partial<Scenario> {
  return { lifetimeS: [lifetimeS, lifetimeS], latencyMs: 5, jitterMs: 0, durationMs, load: [{ from: 0, to: durationMs - 1_000, callsPerSecond }], faults, timeoutMs: [60_000, 60_000], bindingMode }
}

const events = (r: SeedReport, kind: string, detail?: string) => r.keyEvents.filter((e) => e.kind === kind && (detail === undefined || e.detail === detail))
const maxInAnyMinute = (times: number[]) => Math.max(0, ...times.map((t) => times.filter((s) => s >= t && s < t + 60_000).length))

describe('rotation, on the shipped driver', () => {
  it('make-before-break: 5 s keys for 60 s → ≥ 10 rotations, none a recovery, every call answered once, none under a perm key', async () => {
    const r = await runSeed(21, LIMITS, scenario(60_000, 5, 10, []))
    // the invariants include make-before-break at every rotation (the replaced key still
    // alive on the server), no API message under a perm key and every call settled once
    expect(r.violations).toEqual([])
    expect(events(r, 'rotated').length).toBeGreaterThanOrEqual(10)
    // a planned rotation never stops traffic: no key was lost, none recovered
    expect(events(r, 'recovered')).toEqual([])
    expect(events(r, 'not-found-404')).toEqual([])
    expect(events(r, 'handshake-started', 'failure')).toEqual([])
    expect(r.callLog.length).toBeGreaterThan(500)
    expect(r.callLog.filter((c) => c.outcome !== 'ok')).toEqual([])
  }, 60_000)

  it("binding mode 'replace': the old key's -404s after each rotation are the bind's doing: no recovery, no failure handshake, every call answered", async () => {
    const r = await runSeed(21, LIMITS, scenario(60_000, 5, 40, [], 'replace'))
    expect(r.violations).toEqual([])
    expect(events(r, 'rotated').length).toBeGreaterThanOrEqual(10)
    expect(events(r, 'recovered')).toEqual([])
    expect(events(r, 'handshake-started', 'failure')).toEqual([])
    expect(r.callLog.length).toBeGreaterThan(2_000)
    expect(r.callLog.filter((c) => c.outcome !== 'ok')).toEqual([])
    console.log(`[figure] replace mode: ${events(r, 'not-found-404').length} -404s on replaced keys over ${events(r, 'rotated').length} rotations`)
  }, 60_000)

  it('pfs §1.7 storm: every key -404s for 60 s → ≤ 6 failure-driven handshakes a minute, then recovery; calls after it answered', async () => {
    const storm: PlannedFault = { at: 10_000, kind: 'storm-404', durationMs: 60_000, size: 0 }
    const r = await runSeed(22, LIMITS, scenario(180_000, 86_400, 2, [storm]))
    expect(r.violations).toEqual([])
    const failures = events(r, 'handshake-started', 'failure').map((e) => e.t)
    console.log(`[figure] storm: failure-driven handshakes at ${failures.map((t) => (t / 1000).toFixed(1)).join(', ')} s; rotations ${events(r, 'rotated').length}`)
    expect(failures.length).toBeGreaterThan(0) // the storm did hit: the test has teeth
    expect(maxInAnyMinute(failures)).toBeLessThanOrEqual(6)
    // and it came back within a minute of the storm's end, for good
    const back = [...events(r, 'recovered'), ...events(r, 'bound')].map((e) => e.t).filter((t) => t >= 70_000)
    expect(Math.min(...back)).toBeLessThan(130_000)
    expect(r.callLog.filter((c) => c.start >= 130_000 && c.outcome !== 'ok')).toEqual([])
  }, 60_000)
})
