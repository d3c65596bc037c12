/**
 * Time from connect() to the first answered help.getConfig on a bound temp key, against
 * the conformance server on loopback: a fresh client (perm + temp handshakes in parallel)
 * and a client with a stored perm key (temp handshake only). Writes
 * bench/results/worker-connect.json. Run: npx tsx packages/worker/bench/connect.bench.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '@pfs-web/server'
import type { WorkerOptions } from '../src/api.ts'
import { createEngine } from '../src/engine.ts'
import { memoryPermKeys, nodeEnv } from '../src/test-support/node-env.ts'

const RUNS = Number(process.env.RUNS ?? 15)

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pfs-bench-'))
  const server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
  const options: WorkerOptions = {
    dcs: [{ id: 2, url: `ws://${server.host}:${server.wsPort}/apiws` }],
    defaultDcId: 2,
    rsaPublicKeys: [server.rsaPublicKeyPem],
    app: { apiId: 1, deviceModel: 'bench', systemVersion: 'node', appVersion: '0.1', systemLangCode: 'en', langPack: '', langCode: 'en' },
    layer: 227,
  }
  const once = async (storage: ReturnType<typeof memoryPermKeys>): Promise<number> => {
    const engine = createEngine(nodeEnv(storage))
    await engine.init(options)
    const t0 = performance.now()
    await engine.connect()
    const config = await engine.getConfig()
    const ms = performance.now() - t0
    if (config.thisDc !== 2) throw new Error('wrong config')
    await engine.close()
    return ms
  }
  const fresh: number[] = []
  const stored: number[] = []
  const storage = memoryPermKeys()
  for (let i = 0; i < RUNS; i++) {
    storage.map.clear()
    fresh.push(await once(storage))
    stored.push(await once(storage))
  }
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
  const row = (name: string, xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b)
    return { case: name, runs: s.length, minMs: +s[0]!.toFixed(1), medianMs: +quantile(s, 0.5).toFixed(1), p90Ms: +quantile(s, 0.9).toFixed(1) }
  }
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    method: 'connect() → first bound help.getConfig, ws loopback to @pfs-web/server, runs interleaved',
    rows: [row('fresh (perm + temp handshakes in parallel)', fresh), row('stored perm key (temp handshake only)', stored)],
  }
  const out = join(import.meta.dirname, '../../../bench/results')
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'worker-connect.json'), JSON.stringify(result, null, 1) + '\n')
  console.table(result.rows)
}

await main()
