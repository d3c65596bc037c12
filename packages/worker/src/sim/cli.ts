/**
 * `pnpm sim`: runs seeds of the simulation and prints a table. `--seed S` replays one seed
 * (with `--trace`, its whole event trace); `--seeds N --from S` runs a range (a soak).
 * `--out` writes the summary to bench/results/sim.json. Exits 1 when any invariant broke.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { summarize } from './summary.ts'
import { DEFAULT_LIMITS, replayCommand, runSeed, type SeedReport } from './run-seed.ts'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const limits = {
  lifetimes: Number(arg('lifetimes') ?? DEFAULT_LIMITS.lifetimes),
  faultsPerLifetime: Number(arg('faults') ?? DEFAULT_LIMITS.faultsPerLifetime),
  maxCalls: Number(arg('calls') ?? DEFAULT_LIMITS.maxCalls),
}
const one = arg('seed')
const from = Number(one ?? arg('from') ?? 1)
const count = one !== undefined ? 1 : Number(arg('seeds') ?? 20)
const reports: SeedReport[] = []
const wall0 = performance.now()
for (let seed = from; seed < from + count; seed++) {
  const r = await runSeed(seed, limits)
  reports.push(r)
  const failed = Object.entries(r.calls.failed).map(([k, v]) => `${k}:${v}`).join(' ') || '-'
  console.log(
    `seed ${String(seed).padStart(6)}  life ${r.lifetimeS.join('–').padEnd(13)} sim ${(r.simulatedMs / 3_600_000).toFixed(1).padStart(7)} h  keys ${String(r.tempKeys).padStart(4)}  calls ${String(r.calls.total).padStart(5)} ok ${String(r.calls.ok).padStart(5)} failed ${failed.padEnd(24)} checks ${String(r.checks).padStart(6)}  ${r.wallMs.toFixed(0).padStart(6)} ms  ${r.traceHash}  ${r.violations.length === 0 ? 'ok' : 'BROKEN'}`,
  )
  if (r.violations.length > 0) {
    for (const v of r.violations) console.log(`    ${v}`)
    console.log(`    replay: ${replayCommand(seed, limits)}`)
  }
  if (process.argv.includes('--trace')) console.log(r.traceTail.join('\n'))
}
const summary = summarize(reports, performance.now() - wall0)
console.log(JSON.stringify(summary, null, 2))
if (process.argv.includes('--out')) {
  const out = join(dirname(fileURLToPath(import.meta.url)), '../../../../bench/results/sim.json')
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), limits, ...summary }, null, 2) + '\n')
}
process.exit(reports.some((r) => r.violations.length > 0) ? 1 : 0)
