/**
 * `pnpm fuzz [--cases N] [--seed S] [--case K] [--family a,b] [--json FILE]`: a fuzz run
 * against the engine (issue #18). `--case K` replays one case (its epoch runs from its
 * start). Prints every failure with its replay command, then cases/s, max RSS and the
 * per-family counts; exits 1 on any failure.
 */
import { writeFileSync } from 'node:fs'
import { runFuzz, type FuzzReport } from './runner.ts'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const seed = Number(arg('seed') ?? 1)
const only = arg('case')
const cases = only !== undefined ? 1 : Number(arg('cases') ?? 1_000)
const families = arg('family')?.split(',') ?? null
const json = arg('json')
if (!Number.isInteger(seed) || !Number.isInteger(cases) || cases < 1) {
  console.error('usage: pnpm fuzz [--cases N] [--seed S] [--case K] [--family a,b] [--json FILE]')
  process.exit(2)
}

const report = await runFuzz({
  seed,
  cases,
  first: only !== undefined ? Number(only) : 0,
  families,
  rssLimitMb: 2_048,
  ...(process.argv.includes('--trace') ? { trace: (line: string) => process.stdout.write(`  ${line}\n`) } : {}),
  onFailure: (f) => process.stderr.write(`FAIL case ${f.case} [${f.family}: ${f.what}]: ${f.reason}\n  replay: ${f.replay}\n`),
})
print(report)
if (json !== undefined) writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), ...report }, null, 2))
process.exit(report.failures.length === 0 ? 0 : 1)

function print(r: FuzzReport): void {
  const rows = Object.entries(r.families).sort(([a], [b]) => a.localeCompare(b))
  console.log(`seed ${r.seed}: ${r.cases} cases in ${(r.wallMs / 1000).toFixed(1)} s = ${r.casesPerS.toFixed(0)} cases/s, max RSS ${r.maxRssMb.toFixed(0)} MiB, ${r.virtualHours.toFixed(1)} h of virtual time, ${r.failures.length} failures`)
  console.log('family          cases  ms/case  answered  logged-out  typed errors (top codes)')
  for (const [name, s] of rows) {
    const top = Object.entries(s.errors)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([c, n]) => `${c}×${n}`)
      .join(' ')
    console.log(`${name.padEnd(15)} ${String(s.cases).padStart(5)}  ${(s.wallMs / s.cases).toFixed(1).padStart(7)}  ${String(s.answered).padStart(8)}  ${String(s.loggedOut).padStart(10)}  ${top}`)
  }
}
