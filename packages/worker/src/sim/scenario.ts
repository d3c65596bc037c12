/**
 * What one seed simulates: the temp key lifetime, the network, how long, the call load
 * over time, and the faults with their times. Everything is drawn from the seed, so a
 * seed names a whole run.
 */
import type { SeededRandom } from './seeded-random.ts'

export type FaultKind =
  | 'forget-temp-key'
  | 'forget-during-rotation'
  | 'early-sweep'
  | 'storm-404'
  | 'restart'
  | 'bind-error'
  | 'drop-connection'
  | 'cut-link'
  | 'half-open'
  | 'latency'
  | 'clock-skew'
  | 'wall-jump'
  | 'wall-skew'
  | 'flood-429'
  | 'refuse'
  | 'revoke-perm-key'
  | 'salt'

export const FAULT_KINDS: readonly FaultKind[] = [
  'forget-temp-key',
  'forget-during-rotation',
  'early-sweep',
  'storm-404',
  'restart',
  'bind-error',
  'drop-connection',
  'cut-link',
  'half-open',
  'latency',
  'clock-skew',
  'wall-jump',
  'wall-skew',
  'flood-429',
  'refuse',
  'revoke-perm-key',
  'salt',
]

export interface PlannedFault {
  at: number
  kind: FaultKind
  /** How long it lasts (storms, floods, latency, refusal, skew), ms; 0 for instant ones. */
  durationMs: number
  /** Kind-specific size: seconds of skew or sleep, ms of latency, which bind error, seconds until a salt change. */
  size: number
}

/** A stretch of time with one call rate. */
export interface LoadPhase {
  from: number
  to: number
  callsPerSecond: number
}

export interface Scenario {
  seed: number
  lifetimeS: readonly [number, number]
  latencyMs: number
  jitterMs: number
  durationMs: number
  load: LoadPhase[]
  faults: PlannedFault[]
  /** Per-call deadlines are drawn from this range (ms). */
  timeoutMs: readonly [number, number]
  /**
   * The server's bindings per perm key: 'many' keeps every bound temp key, 'replace' unbinds
   * the old one when a new one binds, so a rotation's old key meets -404 (both are real
   * servers' behaviour; a rebind regression showed only under 'replace', issue #12).
   */
  bindingMode: 'many' | 'replace'
  /**
   * Issue #15: the workload uses the DC's pools: bursts go to 'upload', getConfig calls
   * to 'main', 'download' or 'media' in turn. Off in drawn scenarios.
   */
  pools?: boolean
  /**
   * Issue #16: network and page changes at set times. 'offline' refuses new sockets and
   * cuts the open ones, 'online' lifts that; `sleepS` first puts the client to sleep that
   * long with its sockets left half-open (World.sleepClient). Each is then reported to the
   * engine as lifecycle(event). Off in drawn scenarios.
   */
  network?: { at: number; event: 'offline' | 'online' | 'resume'; sleepS?: number }[]
}

export const BIND_ERRORS = ['ENCRYPTED_MESSAGE_INVALID', 'TEMP_AUTH_KEY_EMPTY', 'TEMP_AUTH_KEY_ALREADY_BOUND', 'EXPIRES_AT_INVALID', 'INTERNAL'] as const

const RATES = [0, 0.05, 0.5, 2, 10, 40, 200] as const

export interface ScenarioLimits {
  /** Temp key lifetimes the run should span, roughly. */
  lifetimes: number
  /** Fault density: expected faults per lifetime (0 for a calm run). */
  faultsPerLifetime: number
  /** At most this many calls, whatever the rates: the budget is CPU, not simulated time. */
  maxCalls: number
}

export function drawScenario(seed: number, random: SeededRandom, limits: ScenarioLimits): Scenario {
  const r = random.fork('scenario')
  // Lifetimes from 5 s to 24 h, weighted towards short keys, which rotate (and fail) most.
  const band = r.pick(['short', 'short', 'medium', 'long'] as const)
  const lo = band === 'short' ? r.int(5, 30) : band === 'medium' ? r.int(60, 900) : r.int(3_600, 86_400 - 3_600)
  const hi = Math.min(86_400, lo + r.int(0, Math.ceil(lo / 20)))
  // A long key's lifetime costs one handshake like a short one's, but a simulated month of
  // pings and acks besides (a seed of 7 day-long keys cost as much CPU as 150 short lifetimes):
  // those seeds span a twentieth as many lifetimes.
  const lifetimes = band === 'long' ? Math.max(2, Math.round(limits.lifetimes / 20)) : limits.lifetimes
  const durationMs = Math.round(((lo + hi) / 2) * 1000 * lifetimes)
  const latencyMs = r.pick([1, 5, 20, 60, 150])
  const jitterMs = r.chance(0.5) ? 0 : r.int(1, latencyMs)
  const load = drawLoad(r, durationMs, lo)
  const faults = drawFaults(r, durationMs, lo, limits)
  // its own stream, so adding this draw left every other draw of a seed as it was
  const bindingMode = random.fork('binding-mode').chance(0.5) ? 'replace' : 'many'
  return { seed, lifetimeS: [lo, hi], latencyMs, jitterMs, durationMs, load, faults, timeoutMs: [2_000, 30_000], bindingMode }
}

function drawLoad(r: SeededRandom, durationMs: number, lifetimeS: number): LoadPhase[] {
  const phases: LoadPhase[] = []
  // A busy phase lasts at most a few seconds at hundreds of calls a second; the total call
  // count stays bounded whatever the simulated time.
  for (let t = 0; t < durationMs; ) {
    const rate = r.pick(RATES)
    const maxLen = rate >= 40 ? 3_000 : rate >= 2 ? 30_000 : Math.max(60_000, lifetimeS * 500)
    const len = Math.min(durationMs - t, r.int(500, maxLen))
    phases.push({ from: t, to: t + len, callsPerSecond: rate })
    t += len + (rate >= 2 ? r.int(0, Math.max(1_000, durationMs / 40)) : 0)
  }
  return phases
}

function drawFaults(r: SeededRandom, durationMs: number, lifetimeS: number, limits: ScenarioLimits): PlannedFault[] {
  const lifetimes = durationMs / 1000 / lifetimeS
  const count = Math.round(lifetimes * limits.faultsPerLifetime * r.unit() * 2)
  const faults: PlannedFault[] = []
  const revoke = limits.faultsPerLifetime > 0 && r.chance(0.05)
  for (let i = 0; i < count; i++) {
    const kind = r.pick(FAULT_KINDS.filter((k) => k !== 'revoke-perm-key'))
    const at = r.int(1_000, Math.max(1_001, durationMs - 1_000))
    faults.push({ at, kind, ...shape(r, kind, lifetimeS) })
  }
  // revoking the perm key ends the run's useful life (logged out): at most once, late
  if (revoke) faults.push({ at: Math.round(durationMs * (0.6 + 0.3 * r.unit())), kind: 'revoke-perm-key', durationMs: 0, size: 0 })
  return faults.sort((a, b) => a.at - b.at)
}

function shape(r: SeededRandom, kind: FaultKind, lifetimeS: number): { durationMs: number; size: number } {
  switch (kind) {
    case 'storm-404':
      return { durationMs: r.int(1, 90) * 1000, size: 0 }
    case 'flood-429':
      return { durationMs: r.int(1, 30) * 1000, size: 0 }
    case 'refuse':
      return { durationMs: r.int(1, 60) * 1000, size: 0 }
    case 'latency':
      return { durationMs: r.int(1, 120) * 1000, size: r.pick([50, 300, 1_500, 6_000]) }
    case 'clock-skew':
      return { durationMs: r.int(10, 600) * 1000, size: r.pick([-86_400, -3_600, -600, -120, 120, 301, 600, 3_600, 86_400]) }
    case 'wall-jump':
      // a sleep of up to 2 lifetimes (and up to a day)
      return { durationMs: 0, size: Math.min(86_400, Math.max(3, Math.round(lifetimeS * 2 * r.unit()))) }
    case 'wall-skew':
      return { durationMs: 0, size: r.pick([-3_600, -300, 300, 3_600]) }
    case 'early-sweep':
      return { durationMs: 0, size: r.unit() * Math.min(lifetimeS, 60) }
    case 'bind-error':
      return { durationMs: 0, size: r.int(0, 4) }
    case 'salt':
      // the server's salt changes now or a little later, mid-traffic
      return { durationMs: 0, size: r.chance(0.5) ? 0 : r.unit() * Math.min(lifetimeS, 60) }
    default:
      return { durationMs: 0, size: 0 }
  }
}
