/**
 * The fuzz run (issue #18): cases drawn by family, each played against the engine by the
 * hostile server, each judged by the oracles, every failure with its replay command.
 */
import { deserializeObject } from '@pfs-web/tl'
import { installWorkTracking } from './async-work.ts'
import { GET_CONFIG, newEngine, settleWithin, startEpoch, type Epoch } from './epoch.ts'
import { drawFamily } from './mutations/families.ts'
import type { CaseSpec } from './mutations/case-spec.ts'
import { captureConsole, errorText, isTypedError } from './oracles.ts'
import { Prng } from './prng.ts'

export interface FuzzOptions {
  seed: number
  /** How many cases to run, starting at `first`. */
  cases: number
  /** The first case index (a replay starts its epoch earlier, silently). */
  first?: number
  /** Only these families (by name); null or absent: all. */
  families?: readonly string[] | null
  /** Shares that replace the families' own (by name), e.g. to run fewer handshakes. */
  weights?: Readonly<Record<string, number>>
  /** Follows the judged cases' traffic and key events (for a replay). */
  trace?(line: string): void
  /** Process RSS above this fails the run's current case (MiB). */
  rssLimitMb?: number
  onFailure?(failure: FuzzFailure): void
}

export interface FuzzFailure {
  case: number
  family: string
  what: string
  reason: string
  replay: string
}

export interface FamilyStats {
  cases: number
  /** Calls answered with a result / settled with a typed error, by code. */
  answered: number
  errors: Record<string, number>
  loggedOut: number
  /** Wall time spent in the family's cases (recovery included). */
  wallMs: number
}

export interface FuzzReport {
  seed: number
  cases: number
  failures: FuzzFailure[]
  wallMs: number
  casesPerS: number
  maxRssMb: number
  /** Virtual time the run covered, hours. */
  virtualHours: number
  families: Record<string, FamilyStats>
}

/** Cases per epoch: a replay runs at most this many. */
export const EPOCH_CASES = 250
const DEADLINES_MS = [2_000, 5_000, 15_000, 30_000] as const
/** Virtual time a clean call gets after each case: backoffs and storm control included. */
const RECOVER_MS = 15 * 60_000
/** Virtual time a case's rotation or connect may take with the server still hostile. */
const OPS_MS = 5 * 60_000
/** A case that runs this many deliveries and timers is a busy loop, not work. */
const MAX_STEPS = 200_000

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const uninstall = installWorkTracking()
  const first = o.first ?? 0
  const report: FuzzReport = { seed: o.seed, cases: 0, failures: [], wallMs: 0, casesPerS: 0, maxRssMb: 0, virtualHours: 0, families: {} }
  const unhandled: unknown[] = []
  const onRejection = (reason: unknown): void => void unhandled.push(reason)
  const onException = (err: unknown): void => void unhandled.push(err)
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  const logs: string[] = []
  const restoreConsole = captureConsole(logs)
  const t0 = wallMs()
  let epoch: Epoch | null = null
  try {
    for (let i = first; i < first + o.cases; i++) {
      const index = Math.floor(i / EPOCH_CASES)
      if (epoch === null || epoch.index !== index) {
        if (epoch) report.virtualHours += epoch.loop.now / 3_600_000
        await epoch?.engine.close()
        epoch = await startEpoch(o.seed, index)
        // a replay plays its epoch's earlier cases first, unjudged, to rebuild the state
        for (let j = index * EPOCH_CASES; j < i; j++) await playCase(epoch, o, j, null, unhandled, logs)
      }
      const c0 = wallMs()
      const failure = await playCase(epoch, o, i, report, unhandled, logs)
      const last = report.families[lastFamily(o, i)]
      if (last) last.wallMs += wallMs() - c0
      report.cases++
      report.maxRssMb = Math.max(report.maxRssMb, process.memoryUsage.rss() / 2 ** 20)
      if (failure === null && o.rssLimitMb !== undefined && report.maxRssMb > o.rssLimitMb) {
        report.failures.push(fail(o, i, { family: '-', what: '-' }, `RSS ${report.maxRssMb.toFixed(0)} MiB over ${o.rssLimitMb} MiB`))
      }
      if (failure !== null) {
        report.failures.push(failure)
        o.onFailure?.(failure)
        // the rest of this epoch would not replay from its start: go on with the next one
        i = (index + 1) * EPOCH_CASES - 1
        await epoch.engine.close()
        epoch = null
      }
    }
  } finally {
    if (epoch) {
      report.virtualHours += epoch.loop.now / 3_600_000
      await epoch.engine.close()
    }
    restoreConsole()
    uninstall()
    process.off('unhandledRejection', onRejection)
    process.off('uncaughtException', onException)
  }
  report.wallMs = wallMs() - t0
  report.casesPerS = report.cases / (report.wallMs / 1000)
  return report
}

/** The family case `i` draws (the case's first draw). */
function lastFamily(o: FuzzOptions, i: number): string {
  return drawFamily(Prng.of(o.seed, 'case', i), o.families ?? null, o.weights).name
}

function fail(o: FuzzOptions, i: number, spec: Pick<CaseSpec, 'family' | 'what'>, reason: string): FuzzFailure {
  const only = o.families ? ` --family ${o.families.join(',')}` : ''
  return { case: i, family: spec.family, what: spec.what, reason, replay: `pnpm fuzz --seed ${o.seed} --case ${i}${only}` }
}

type Settled = { ok: true; value: Uint8Array; at: number } | { ok: false; error: unknown; at: number }

/** Plays case `i`; with a report, judges it and returns its failure (null: it held). */
async function playCase(epoch: Epoch, o: FuzzOptions, i: number, report: FuzzReport | null, unhandled: unknown[], logs: string[]): Promise<FuzzFailure | null> {
  const rng = Prng.of(o.seed, 'case', i)
  const family = drawFamily(rng, o.families ?? null, o.weights)
  const spec = family.make(rng)
  const stats = report ? (report.families[spec.family] ??= { cases: 0, answered: 0, errors: {}, loggedOut: 0, wallMs: 0 }) : null
  if (stats) stats.cases++
  const bad = (reason: string): FuzzFailure => fail(o, i, spec, reason)
  const { loop, server } = epoch
  const trace = report !== null && o.trace ? o.trace : null
  server.trace = trace === null ? null : (line) => trace(`${(loop.now / 1000).toFixed(3)} s ${line}`)
  trace?.(`case ${i} [${spec.family}: ${spec.what}] ${spec.action}`)
  unhandled.length = 0
  logs.length = 0
  const steps0 = loop.steps
  server.hooks = spec.hooks
  server.skewS = spec.skewS ?? 0
  if (spec.dropLinks) server.dropAll()

  const ops: Promise<unknown>[] = []
  if (spec.action === 'fresh-engine') {
    await newEngine(epoch, true)
    ops.push(epoch.engine.connect())
  } else if (spec.action === 'rotate') {
    ops.push(epoch.engine.rotateNow())
  }
  const opsDone = { n: 0 }
  for (const p of ops) p.then(() => void opsDone.n++, (err: unknown) => void (opsDone.n++, logs.push(errorText(err))))
  const start = loop.now
  const calls = Array.from({ length: rng.range(1, 3) }, () => {
    const deadline = rng.pick(DEADLINES_MS)
    const call: { deadline: number; settled: Settled | null } = { deadline, settled: null }
    epoch.engine.invoke(GET_CONFIG, { timeoutMs: deadline }).then(
      (value) => void (call.settled = { ok: true, value, at: loop.now }),
      (error: unknown) => void (call.settled = { ok: false, error, at: loop.now }),
    )
    return call
  })
  const latest = Math.max(...calls.map((c) => c.deadline))
  const how = await loop.runUntil(() => calls.every((c) => c.settled !== null), start + latest)
  // the handshake or bind the case aims at may come after the calls: it stays armed until then
  const opsHow = await loop.runUntil(() => opsDone.n === ops.length, loop.now + OPS_MS)
  if (report === null) {
    await recover(epoch, spec, null)
    return null
  }
  if (how === 'stuck') return bad('nothing left to run with calls unsettled: a hang')
  if (opsHow === 'stuck') return bad(`nothing left to run with ${spec.action} unsettled: a hang`)
  for (const c of calls) {
    const s = c.settled
    if (s === null) return bad(`a call with a ${c.deadline} ms deadline did not settle by it`)
    if (s.at - start > c.deadline) return bad(`a call settled ${s.at - start} ms after it began, past its ${c.deadline} ms deadline`)
    if (s.ok) stats!.answered++
    else if (!isTypedError(s.error)) return bad(`a call was rejected with an untyped error: ${errorText(s.error)}`)
    else {
      stats!.errors[String(s.error.code)] = (stats!.errors[String(s.error.code)] ?? 0) + 1
      logs.push(errorText(s.error))
    }
  }
  const recovery = await recover(epoch, spec, stats)
  if (trace && recovery !== null) trace(JSON.stringify(await epoch.engine.states()))
  if (recovery !== null) return bad(recovery)
  if (opsDone.n < ops.length && (await loop.runUntil(() => opsDone.n === ops.length, loop.now + RECOVER_MS)) !== 'done') {
    return bad(`${spec.action === 'rotate' ? 'rotateNow' : 'connect'} never settled, with the server honest again`)
  }
  if (loop.steps - steps0 > MAX_STEPS) return bad(`${loop.steps - steps0} deliveries and timers in one case: a busy loop`)
  if (unhandled.length > 0) return bad(`uncaught: ${unhandled.map(errorText).join(' | ').slice(0, 500)}`)
  if (server.errors.length > 0) return bad(`the fuzz server itself failed (a fuzzer bug): ${server.errors.splice(0).map(errorText).join(' | ').slice(0, 500)}`)
  logs.push(JSON.stringify(await epoch.engine.states()), ...epoch.events.splice(0))
  if (trace) for (const l of logs) trace(l)
  epoch.scanner.update(server.keyBytes())
  for (const line of logs) {
    const leak = epoch.scanner.scan(line)
    if (leak !== null) return bad(`key bytes (${leak}) in: ${line.slice(0, 200)}`)
  }
  return null
}

/** The server turns honest; a clean call must be answered, and every pending operation settle. */
async function recover(epoch: Epoch, spec: CaseSpec, stats: FamilyStats | null): Promise<string | null> {
  epoch.server.hooks = {}
  epoch.server.skewS = 0
  const [state] = await epoch.engine.states()
  if (state?.status === 'logged-out') {
    if (stats) stats.loggedOut++
    if (!spec.mayLogOut) return `the engine logged out after a ${spec.family} case`
    await newEngine(epoch, true)
  }
  const r = await settleWithin(epoch, epoch.engine.invoke(GET_CONFIG, { timeoutMs: RECOVER_MS }), RECOVER_MS + 1_000)
  if ('pending' in r) return `the clean call after the case never settled (${r.pending})`
  if (!r.ok) return `the clean call after the case failed: ${errorText(r.error)}`
  const obj = deserializeObject(r.value)
  if (obj._ !== 'config') return `the clean call after the case got ${obj._}`
  return null
}

/** Real milliseconds (performance.now counts work, not time, during a run: async-work.ts). */
function wallMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}
