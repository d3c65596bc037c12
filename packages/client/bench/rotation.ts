/**
 * `pnpm bench:rotation`: runs the timed rotation in Chromium (rotation.bench.browser.ts),
 * then prints p50/p99 call latency inside rotation windows against steady state, as
 * ratios measured in the same run, and writes bench/results/rotation.json.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

interface Raw {
  calls: { total: number; ok: number; failed: number }
  rotations: number
  windows: number
  during: number[]
  steady: number[]
  windowMs: number[]
  margins: number[]
  n404: number
}

const root = fileURLToPath(new URL('../../..', import.meta.url))
const run = spawnSync('npx', ['vitest', 'run', '-c', 'packages/client/bench/rotation.vitest.config.ts'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
const line = `${run.stdout}\n${run.stderr}`.split('\n').find((l) => l.includes('[bench-rotation] '))
if (line === undefined) {
  process.stderr.write(run.stdout + run.stderr)
  throw new Error('the rotation run printed no figures')
}
const raw = JSON.parse(line.slice(line.indexOf('[bench-rotation] ') + 17)) as Raw

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : (s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number)
}
const round = (x: number): number => Math.round(x * 100) / 100
const rows = [50, 99].map((p) => {
  const steady = pct(raw.steady, p)
  const rotation = pct(raw.during, p)
  return { quantile: `p${p}`, steadyMs: round(steady), rotationMs: round(rotation), ratio: round(rotation / steady) }
})
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', loadavg: loadavg().map(round) },
  run: { keyLifetimeS: 5, seconds: 60, callsPerSecond: 50 },
  calls: raw.calls,
  rotations: raw.rotations,
  windows: raw.windows,
  callsInWindows: raw.during.length,
  rows,
  windowMs: { p50: pct(raw.windowMs, 50), max: Math.max(...raw.windowMs) },
  bindMarginMs: { min: Math.min(...raw.margins), checked: raw.margins.length },
  transport404: raw.n404,
}
console.table(rows)
console.log(`calls ${raw.calls.total} (failed ${raw.calls.failed}), rotations ${raw.rotations}, ${raw.during.length} calls in ${raw.windows} windows, smallest bind margin ${result.bindMarginMs.min} ms`)
mkdirSync(`${root}/bench/results`, { recursive: true })
writeFileSync(`${root}/bench/results/rotation.json`, JSON.stringify(result, null, 2) + '\n')
