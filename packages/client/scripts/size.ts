/**
 * `pnpm size`: what a consumer ships, measured the way size-limit does it. Builds dist/,
 * bundles each entry as an app's bundler would (its imports included, minified), gzips it
 * and checks the budgets of issue #14:
 *
 *   main thread  dist/index.js with comlink   <= 10 kB gzipped, no WebAssembly, no crypto
 *   worker       dist/worker.js               <= 50 kB gzipped
 *   shared worker  dist/shared-worker.js       <= 50 kB gzipped (the same engine, #15)
 *
 * Prints a table, writes bench/results/size.json and exits 1 over budget. kB are 1000
 * bytes; gzip is zlib at level 9. Sizes only, no timings, so it is deterministic and safe
 * to run in CI.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { rolldown } from 'rolldown'
import { buildClient } from './build.ts'

interface Budgeted {
  name: string
  entry: string
  budgetGzipBytes: number
}

export interface Measured {
  minBytes: number
  gzipBytes: number
  code: string
}

/** One entry bundled with its imports and minified, as an app's production build would. */
export async function measure(entry: string): Promise<Measured> {
  const bundle = await rolldown({ input: entry, platform: 'browser', logLevel: 'silent', checks: { pluginTimings: false } })
  const { output } = await bundle.generate({ format: 'es', minify: true, codeSplitting: false })
  await bundle.close()
  const code = output.map((c) => (c.type === 'chunk' ? c.code : '')).join('')
  return { minBytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length, code }
}

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(2)} kB`

async function main(): Promise<void> {
  const repoRoot = resolve(import.meta.dirname, '../../..')
  const { dist, mainModules } = await buildClient()
  const budgets: Budgeted[] = [
    { name: 'main thread', entry: join(dist, 'index.js'), budgetGzipBytes: 10_000 },
    { name: 'worker', entry: join(dist, 'worker.js'), budgetGzipBytes: 50_000 },
    { name: 'shared worker', entry: join(dist, 'shared-worker.js'), budgetGzipBytes: 50_000 },
  ]
  const rows = []
  let ok = true
  for (const b of budgets) {
    const m = await measure(b.entry)
    const withinBudget = m.gzipBytes <= b.budgetGzipBytes
    ok &&= withinBudget
    rows.push({ name: b.name, entry: relative(repoRoot, b.entry), minBytes: m.minBytes, gzipBytes: m.gzipBytes, budgetGzipBytes: b.budgetGzipBytes, withinBudget, code: m.code })
  }
  const mainCode = rows[0]?.code ?? ''
  const mainThread = {
    webAssembly: mainCode.includes('WebAssembly'),
    webCryptoSubtle: mainCode.includes('subtle'),
    modules: mainModules.map((id) => relative(repoRoot, id).replace(/^node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')),
  }
  ok &&= !mainThread.webAssembly && !mainThread.webCryptoSubtle

  const rolldownVersion = (JSON.parse(await readFile(createRequire(import.meta.url).resolve('rolldown/package.json'), 'utf8')) as { version: string }).version
  const result = {
    method: `rolldown ${rolldownVersion} bundle of each entry, minified; gzip = zlib level 9; kB = 1000 bytes`,
    bundles: rows.map(({ code: _code, ...row }) => row),
    mainThread,
  }
  await writeFile(join(repoRoot, 'bench/results/size.json'), JSON.stringify(result, null, 2) + '\n')

  console.log('| bundle | entry | minified | gzipped | budget (gz) | |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.name} | ${r.entry} | ${kB(r.minBytes)} | ${kB(r.gzipBytes)} | ${kB(r.budgetGzipBytes)} | ${r.withinBudget ? 'ok' : 'OVER'} |`)
  console.log(`main thread: WebAssembly ${mainThread.webAssembly ? 'PRESENT' : 'none'}, crypto.subtle ${mainThread.webCryptoSubtle ? 'PRESENT' : 'none'}; modules: ${mainThread.modules.join(', ')}`)
  console.log('wrote bench/results/size.json')
  if (!ok) process.exitCode = 1
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
