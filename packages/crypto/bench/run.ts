/**
 * `pnpm bench:crypto`: serves packages/crypto/bench with vite, runs bench-worker.ts in a
 * dedicated Worker in headless Debian Chromium, prints a table and writes
 * bench/results/crypto.json at the repo root.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright'
import { createServer } from 'vite'
import type { Row } from './bench-worker.ts'

const here = dirname(fileURLToPath(import.meta.url))
const out = resolve(here, '../../../bench/results/crypto.json')
const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

type Outcome = { ok: true; result: { rows: Row[]; userAgent: string } } | { ok: false; error: string }

async function main(): Promise<void> {
  const server = await createServer({
    root: here,
    configFile: false,
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1', strictPort: false },
    // mtcute locates its .wasm next to its own module; pre-bundling would move the module
    optimizeDeps: { exclude: ['@mtcute/wasm'] },
  })
  await server.listen()
  const address = server.httpServer?.address()
  if (address === null || address === undefined || typeof address === 'string') throw new Error('vite did not listen')
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs })
  try {
    const page = await browser.newPage()
    page.on('console', (m) => process.stdout.write(`  ${m.text()}\n`))
    page.on('pageerror', (e) => process.stdout.write(`  page error: ${e.message}\n`))
    await page.goto(`http://127.0.0.1:${address.port}/index.html`)
    await page.waitForFunction(() => window.benchOutcome !== undefined, undefined, { timeout: 15 * 60_000, polling: 500 })
    const outcome = (await page.evaluate(() => window.benchOutcome)) as Outcome
    if (!outcome.ok) throw new Error(outcome.error)
    report(outcome.result.rows, `${browser.version()} (${outcome.result.userAgent})`)
  } finally {
    await browser.close()
    await server.close()
  }
}

function find(rows: Row[], op: string, impl: string, bytes: number): number {
  const r = rows.find((x) => x.op === op && x.impl === impl && x.bytes === bytes)
  if (r === undefined) throw new Error(`missing row ${op}/${impl}/${bytes}`)
  return r.opsPerSec
}

function report(rows: Row[], browserVersion: string): void {
  const ratios: Record<string, number> = {}
  const sizes = [...new Set(rows.filter((r) => r.op === 'ige-encrypt').map((r) => r.bytes))]
  const label = (n: number): string => (n >= 1024 ? `${n / 1024}KiB` : `${n}B`)
  for (const n of sizes) {
    ratios[`igeEncrypt/cbcRaw@${label(n)}`] = find(rows, 'ige-encrypt', 'pfs-web', n) / find(rows, 'cbc-raw', 'webcrypto', n)
    ratios[`igeEncrypt/mtcute@${label(n)}`] = find(rows, 'ige-encrypt', 'pfs-web', n) / find(rows, 'ige-encrypt', 'mtcute-wasm', n)
    ratios[`igeDecrypt/mtcute@${label(n)}`] = find(rows, 'ige-decrypt', 'pfs-web', n) / find(rows, 'ige-decrypt', 'mtcute-wasm', n)
    ratios[`msgRoundtrip/mtcute@${label(n)}`] = find(rows, 'msg-roundtrip', 'pfs-web', n) / find(rows, 'msg-roundtrip', 'mtcute-wasm', n)
    ratios[`msgRoundtripSync/mtcute@${label(n)}`] = find(rows, 'msg-roundtrip', 'pfs-web-sync', n) / find(rows, 'msg-roundtrip', 'mtcute-wasm', n)
  }
  for (const k of Object.keys(ratios)) ratios[k] = Math.round((ratios[k] as number) * 100) / 100
  const rounded = rows.map((r) => ({
    ...r,
    mbps: r.mbps === null ? null : Math.round(r.mbps * 10) / 10,
    opsPerSec: Math.round(r.opsPerSec),
  }))
  const table = rounded.map((r) => `${r.op.padEnd(17)} ${r.impl.padEnd(12)} ${String(r.bytes).padStart(7)} B ${String(r.mbps ?? '-').padStart(8)} MB/s ${String(r.opsPerSec).padStart(9)} op/s`)
  process.stdout.write(`\n${table.join('\n')}\n\n`)
  for (const [k, v] of Object.entries(ratios)) process.stdout.write(`${k.padEnd(28)} ${v}\n`)
  const cpu = cpus()
  const machine = `${cpu[0]?.model ?? 'unknown cpu'} ×${cpu.length}, node ${process.version}, ${browserVersion}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`
  mkdirSync(dirname(out), { recursive: true })
  const result = { date: new Date().toISOString(), machine, method: 'dedicated Worker, interleaved rounds, best of 15 slices per contender, each ≥ 20 ms and ≥ 4 operations', rows: rounded, ratios }
  writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`)
  process.stdout.write(`\nwrote ${out}\n`)
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
  process.exit(1)
})
