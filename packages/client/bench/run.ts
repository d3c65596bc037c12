/**
 * `pnpm bench:session` (issue #5): the conformance server on ephemeral loopback ports, a
 * Vite dev server for the bench page and headless Debian Chromium. The page (main.ts)
 * times connect, small calls and 512 KiB file parts through the engine worker and through
 * the same engine on the page thread; this prints a table and writes
 * bench/results/session.json. Env: RUNS, ROUNDS, SLICE_MS, PART_SLICE_MS, CAP_MS (whole-run time cap).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openBenchPage, runCapped, shutDown } from './bench-host.ts'
import type { BenchConfig, BenchResult, Row } from './main.ts'

const here = dirname(fileURLToPath(import.meta.url))
const out = resolve(here, '../../../bench/results/session.json')
const config = {
  runs: Number(process.env.RUNS ?? 10),
  rounds: Number(process.env.ROUNDS ?? 5),
  sliceMs: Number(process.env.SLICE_MS ?? 1000),
  partSliceMs: Number(process.env.PART_SLICE_MS ?? 2500),
}
const CAP_MS = Number(process.env.CAP_MS ?? 6 * 60_000)

async function main(): Promise<void> {
  const { page, server, serverInfo, browserVersion } = await openBenchPage('index.html', 'sessionBench')
  const benchConfig: BenchConfig = { ...config, ...serverInfo }
  const result: BenchResult = await page.evaluate(async (c) => {
    if (window.sessionBench === undefined) throw new Error('bench page not loaded')
    return window.sessionBench(c)
  }, benchConfig)
  const stats = server.stats()
  await shutDown()
  report(result, browserVersion, stats.violations.count)
}

function value(rows: Row[], caseName: string, impl: Row['impl']): number {
  const r = rows.find((x) => x.case.startsWith(caseName) && x.impl === impl)
  if (r === undefined) throw new Error(`missing row ${caseName}/${impl}`)
  return r.value
}

const SHORT: Record<string, string> = {
  'small call help.getNearestDc': 'smallCall',
  'upload saveFilePart 512 KiB': 'upload512K',
  'download getFile 512 KiB': 'download512K',
}

/**
 * worker ÷ anchor. Connect: medians of ms (above 1 is slower). Rates: the median over rounds
 * of each round's worker slice ÷ the anchor's slice of the same round (above 1 is faster).
 */
function ratios(result: BenchResult): Record<string, number> {
  const r: Record<string, number> = {
    'connectFresh ms worker/direct': value(result.rows, 'connect fresh', 'worker') / value(result.rows, 'connect fresh', 'direct'),
    'connectStored ms worker/direct': value(result.rows, 'connect stored', 'worker') / value(result.rows, 'connect stored', 'direct'),
  }
  for (const p of result.paired) r[`${SHORT[p.case] ?? p.case}@${p.inFlight} worker/${p.over}`] = p.median
  for (const k of Object.keys(r)) r[k] = Math.round((r[k] as number) * 100) / 100
  return r
}

const round2 = (x: number): number => Math.round(x * 100) / 100

function report(result: BenchResult, browserVersion: string, violations: number): void {
  const round = (x: number | undefined): number | undefined => (x === undefined ? undefined : x >= 100 ? Math.round(x) : Math.round(x * 10) / 10)
  const rows = result.rows.map((r) => ({ ...r, value: round(r.value) as number, min: round(r.min) as number, p90: round(r.p90), max: round(r.max) }))
  const spread = (r: (typeof rows)[number]): string => (r.unit === 'ms' ? `min ${r.min} p90 ${r.p90}` : `min ${r.min} best ${r.max}`)
  const table = rows.map((r) =>
    `${r.case.padEnd(52)} ${(r.inFlight === undefined ? '' : `@${r.inFlight}`).padStart(3)} ${r.impl.padEnd(12)} ${String(r.value).padStart(8)} ${r.unit.padEnd(7)} ${spread(r)}`)
  const ratioTable = ratios(result)
  const spreads = Object.fromEntries(result.paired.map((p) => [`${SHORT[p.case] ?? p.case}@${p.inFlight} worker/${p.over}`, [round2(p.min), round2(p.max)]]))
  process.stdout.write(`\n${table.join('\n')}\n\n`)
  for (const [k, v] of Object.entries(ratioTable)) process.stdout.write(`${k.padEnd(42)} ${String(v).padEnd(5)} ${spreads[k] ? `rounds ${spreads[k].join('–')}` : ''}\n`)
  if (violations !== 0) throw new Error(`the server counted ${violations} perm-key API calls (strict PFS)`)
  const cpu = cpus()
  const machine = `${cpu[0]?.model ?? 'unknown cpu'} ×${cpu.length}, node ${process.version}, ${browserVersion} (${result.userAgent}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`
  const method = [
    `ws loopback to @pfs-web/server in the same Node process; page served by the Vite dev server; headless Chromium`,
    `worker = createPfsClient (engine in a dedicated Worker, Comlink); direct = createEngine on the page thread (same engine, same WebSocket and IndexedDB, no Worker)`,
    `connect: ${config.runs} runs per case, interleaved; fresh = new IndexedDB name (perm + temp handshakes), stored = same name, new client (temp handshake only); value = median ms`,
    `rates: ${config.rounds} slices per contender (${config.sliceMs} ms small calls, ${config.partSliceMs} ms 512 KiB parts) after one warm-up slice each, interleaved, the order flipped every round; value = median slice, max = best slice; MB = 10^6 bytes`,
    `rate ratios: per round, the worker slice ÷ the other contender's slice of that round; the median over rounds, with min–max in pairedSpread`,
    `the server decrypts AES-256-IGE in @mtcute/wasm and shares the 2 cores with Chromium`,
    `comlink-echo = a bare Comlink worker returning a 64-byte Uint8Array; postMessage-echo = a bare worker posting each message back (the thread-hop floor without Comlink)`,
  ].join('; ')
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, method, config, rows, ratios: ratioTable, pairedSpread: spreads }, null, 1)}\n`)
  process.stdout.write(`\nwrote ${out}\n`)
}

runCapped('bench:session', CAP_MS, main)
