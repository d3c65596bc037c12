/**
 * `pnpm bench:tabs`: runs tabs.bench.browser.ts in Chromium (TABS_ROUNDS, default 5), then
 * prints, per sharing mode, the median time from a tab's createPfsClient() to its first
 * help.getConfig answer for the first and the second tab, the handshakes and sockets each
 * tab's start cost, and ratios against anchors from the same run: the first tab of the
 * same mode, and the second tab with an engine of its own ('none'). Writes bench/results/tabs.json.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

interface TabStart {
  mode: string
  tab: 1 | 2
  ms: number
  handshakes: number
  sockets: number
}

const root = fileURLToPath(new URL('../../..', import.meta.url))
const rounds = process.env.TABS_ROUNDS ?? '5'
const run = spawnSync('npx', ['vitest', 'run', '-c', 'packages/client/bench/tabs.vitest.config.ts'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
  env: { ...process.env, TABS_ROUNDS: rounds },
})
const line = `${run.stdout}\n${run.stderr}`.split('\n').find((l) => l.includes('[bench-tabs] '))
if (line === undefined) {
  process.stderr.write(run.stdout + run.stderr)
  throw new Error('the tabs run printed no figures')
}
const raw = JSON.parse(line.slice(line.indexOf('[bench-tabs] ') + 13)) as { rounds: number; starts: TabStart[] }

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}
const round = (x: number): number => Math.round(x * 100) / 100
const pick = (mode: string, tab: 1 | 2): TabStart[] => raw.starts.filter((s) => s.mode === mode && s.tab === tab)
const secondNone = median(pick('none', 2).map((s) => s.ms))
const rows = [...new Set(raw.starts.map((s) => s.mode))].map((mode) => {
  const [first, second] = [pick(mode, 1), pick(mode, 2)]
  const firstMs = median(first.map((s) => s.ms))
  const secondMs = median(second.map((s) => s.ms))
  return {
    sharing: mode,
    firstTabMs: round(firstMs),
    secondTabMs: round(secondMs),
    secondVsFirst: round(secondMs / firstMs),
    secondVsOwnEngine: round(secondMs / secondNone),
    handshakesFirstTab: median(first.map((s) => s.handshakes)),
    handshakesSecondTab: median(second.map((s) => s.handshakes)),
    socketsSecondTab: median(second.map((s) => s.sockets)),
  }
})
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', loadavg: loadavg().map(round) },
  method:
    'Chromium, one page; per round and mode a fresh storage name, tab 1 then tab 2, each timed from createPfsClient() to its first help.getConfig answer (median of rounds); handshakes and sockets from the server\'s stats around each start',
  rounds: raw.rounds,
  rows,
}
console.table(rows)
mkdirSync(`${root}/bench/results`, { recursive: true })
writeFileSync(`${root}/bench/results/tabs.json`, JSON.stringify(result, null, 2) + '\n')
console.log('wrote bench/results/tabs.json')
