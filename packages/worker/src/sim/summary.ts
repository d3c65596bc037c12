/** Totals over many seeds' reports, for the CLI table and the CI test's log line. */
import type { SeedReport } from './run-seed.ts'

export interface SimSummary {
  seeds: number
  broken: number[]
  simulatedHours: number
  lifetimes: number
  tempKeys: number
  badServerSalts: number
  calls: number
  callsOk: number
  callsFailed: Record<string, number>
  faults: Record<string, number>
  /** Seeds by the server's binding mode. */
  bindingModes: Record<string, number>
  checks: number
  wallSeconds: number
}

export function summarize(reports: readonly SeedReport[], wallMs: number): SimSummary {
  const s: SimSummary = { seeds: reports.length, broken: [], simulatedHours: 0, lifetimes: 0, tempKeys: 0, badServerSalts: 0, calls: 0, callsOk: 0, callsFailed: {}, faults: {}, bindingModes: {}, checks: 0, wallSeconds: wallMs / 1000 }
  for (const r of reports) {
    if (r.violations.length > 0) s.broken.push(r.seed)
    s.simulatedHours += r.simulatedMs / 3_600_000
    s.lifetimes += r.lifetimes
    s.tempKeys += r.tempKeys
    s.badServerSalts += r.badServerSalts
    s.calls += r.calls.total
    s.callsOk += r.calls.ok
    for (const [k, v] of Object.entries(r.calls.failed)) s.callsFailed[k] = (s.callsFailed[k] ?? 0) + v
    for (const [k, v] of Object.entries(r.faults)) s.faults[k] = (s.faults[k] ?? 0) + v
    s.bindingModes[r.bindingMode] = (s.bindingModes[r.bindingMode] ?? 0) + 1
    s.checks += r.checks
  }
  s.simulatedHours = Math.round(s.simulatedHours * 10) / 10
  s.lifetimes = Math.round(s.lifetimes)
  return s
}
