/**
 * `pnpm bench:transfer` (issue #16): the conformance server on ephemeral loopback ports, a
 * Vite dev server for the bench page and headless Debian Chromium. The page
 * (transfer-main.ts) moves one file up with upload() and down with download() through the
 * engine worker and through the same engine on the page thread, in interleaved rounds;
 * this prints MB/s and the worker ÷ page-thread ratio and writes bench/results/transfer.json.
 * Env: SIZE_MIB (32), ROUNDS (3), PARALLEL (4), CAP_MS (whole-run time cap).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openBenchPage, runCapped, shutDown } from './bench-host.ts'
import type { TransferBenchConfig, TransferBenchResult, TransferSample } from './transfer-main.ts'

const here = dirname(fileURLToPath(import.meta.url))
const out = resolve(here, '../../../bench/results/transfer.json')
const config = {
  sizeMiB: Number(process.env.SIZE_MIB ?? 32),
  rounds: Number(process.env.ROUNDS ?? 3),
  parallel: Number(process.env.PARALLEL ?? 4),
}
const CAP_MS = Number(process.env.CAP_MS ?? 5 * 60_000)

async function main(): Promise<void> {
  const { page, server, serverInfo, browserVersion } = await openBenchPage('transfer.html', 'transferBench')
  const benchConfig: TransferBenchConfig = { ...config, ...serverInfo }
  const result: TransferBenchResult = await page.evaluate(async (c) => {
    if (window.transferBench === undefined) throw new Error('bench page not loaded')
    return window.transferBench(c)
  }, benchConfig)
  const violations = server.stats().violations.count
  await shutDown()
  report(result, browserVersion, violations)
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}
const round2 = (x: number): number => Math.round(x * 100) / 100

function report(result: TransferBenchResult, browserVersion: string, violations: number): void {
  const mb = (config.sizeMiB * 1024 * 1024) / 1e6
  const rate = (s: TransferSample): number => mb / (s.ms / 1000)
  const of = (impl: string, direction: string): TransferSample[] => result.samples.filter((s) => s.impl === impl && s.direction === direction)
  const rows = (['upload', 'download'] as const).flatMap((direction) =>
    (['worker', 'direct'] as const).map((impl) => {
      const rates = of(impl, direction).map(rate)
      return { direction, impl, medianMBps: round2(median(rates)), minMBps: round2(Math.min(...rates)), maxMBps: round2(Math.max(...rates)), rounds: rates.length }
    }))
  // Per round, the worker's rate ÷ the page thread's rate of that round; the median over rounds.
  const ratios = Object.fromEntries((['upload', 'download'] as const).map((direction) => {
    const w = of('worker', direction)
    const d = of('direct', direction)
    const perRound = w.map((s) => rate(s) / rate(d.find((x) => x.round === s.round) as TransferSample))
    return [`${direction} worker/direct`, { median: round2(median(perRound)), min: round2(Math.min(...perRound)), max: round2(Math.max(...perRound)) }]
  }))
  process.stdout.write(`\n${'direction'.padEnd(10)} ${'impl'.padEnd(8)} ${'MB/s'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}\n`)
  for (const r of rows) process.stdout.write(`${r.direction.padEnd(10)} ${r.impl.padEnd(8)} ${String(r.medianMBps).padStart(8)} ${String(r.minMBps).padStart(8)} ${String(r.maxMBps).padStart(8)}\n`)
  process.stdout.write('\n')
  for (const [k, v] of Object.entries(ratios)) process.stdout.write(`${k.padEnd(26)} ${String(v.median).padEnd(6)} rounds ${v.min}–${v.max}\n`)
  if (violations !== 0) throw new Error(`the server counted ${violations} perm-key API calls (strict PFS)`)
  const cpu = cpus()
  const machine = `${cpu[0]?.model ?? 'unknown cpu'} ×${cpu.length}, node ${process.version}, ${browserVersion} (${result.userAgent}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`
  const method = [
    `ws loopback to @pfs-web/server in the same Node process (sharing the cores with Chromium); page served by the Vite dev server; headless Chromium`,
    `worker = createPfsClient().upload()/download() (engine in a dedicated Worker); direct = the same upload()/download() over createEngine() on the page thread (no Worker)`,
    `each round: ${config.sizeMiB} MiB up (Blob, 512 KiB saveBigFilePart parts) then down (1 MiB getFile parts), ${config.parallel} parts in flight, pools of 2 upload and 2 download connections; the order of the contenders flips every round; a warm-up transfer binds every connection first`,
    `MB = 10^6 bytes; each download is checked byte-exact by SHA-256 outside the timed span; ratio = per round worker MB/s ÷ direct MB/s, the median over rounds`,
  ].join('; ')
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, method, config, rows, ratios, samples: result.samples.map((s) => ({ ...s, ms: Math.round(s.ms) })) }, null, 1)}\n`)
  process.stdout.write(`\nwrote ${out}\n`)
}

runCapped('bench:transfer', CAP_MS, main)
