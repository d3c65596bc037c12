/**
 * Connect cost against the conformance server on loopback, the server in a child process
 * so that process.cpuUsage() here counts the client alone:
 *  - fresh: a new engine, no perm key (perm + temp handshakes in parallel);
 *  - stored: a new engine with a stored perm key and the DH powers the fresh engine stored
 *    in its idle time (temp handshake only) — a reload's first connect;
 *  - rotation: rotateNow() on that engine after it has sat idle for IDLE_MS, i.e. a temp
 *    handshake for a DH group the worker has seen (issue #17: its g^b may be made ahead).
 * Wall ms is connect() → first bound help.getConfig (rotation: rotateNow() → switched);
 * CPU ms is user + system over the same span. The anchor, measured in the same run, is one
 * 2048-bit modPow of ours: CPU is also given in modexp-equivalents. Idle CPU is what the
 * engine spent while it sat idle before the rotation (work moved off the critical path).
 * Writes bench/results/worker-connect.json. Run: npx tsx packages/worker/bench/connect.bench.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { bytesToBigInt, modPow } from '@pfs-web/crypto'
import { createEngine } from '../src/engine.ts'
import { engineOptions } from '../src/test-support/engine-options.ts'
import { memoryPermKeys, nodeEnv } from '../src/test-support/node-env.ts'
import { startServerProcess, untilStored } from './rivals.ts'

const RUNS = Number(process.env.RUNS ?? 15)
const IDLE_MS = 1500

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since)
  return (u.user + u.system) / 1000
}

interface Sample {
  wallMs: number
  cpuMs: number
}

async function main(): Promise<void> {
  const server = await startServerProcess()
  const options = engineOptions(server)
  const connect = async (storage: ReturnType<typeof memoryPermKeys>) => {
    const engine = createEngine(nodeEnv(storage))
    await engine.init(options)
    const cpu = process.cpuUsage()
    const t0 = performance.now()
    await engine.connect()
    const config = await engine.getConfig()
    const sample: Sample = { wallMs: performance.now() - t0, cpuMs: cpuMs(cpu) }
    if (config.thisDc !== 2) throw new Error('wrong config')
    return { engine, sample }
  }
  const fresh: Sample[] = []
  const stored: Sample[] = []
  const rotation: Sample[] = []
  const idleCpu: number[] = []
  const storage = memoryPermKeys()
  for (let i = 0; i < RUNS; i++) {
    storage.map.clear()
    delete storage.powers
    const a = await connect(storage)
    fresh.push(a.sample)
    // untimed: the page stays open, and the engine stores the DH group's fixed-base powers
    await untilStored('DH powers', () => storage.powers)
    await a.engine.close()
    const b = await connect(storage)
    stored.push(b.sample)
    const idle = process.cpuUsage()
    await new Promise((r) => setTimeout(r, IDLE_MS))
    idleCpu.push(cpuMs(idle))
    const cpu = process.cpuUsage()
    const t0 = performance.now()
    await b.engine.rotateNow()
    rotation.push({ wallMs: performance.now() - t0, cpuMs: cpuMs(cpu) })
    await b.engine.close()
  }
  await server.close()

  // The anchor: our 2048-bit modexp (a DH-sized exponent), CPU median over 9 after warm-up.
  const p = (1n << 2047n) | bytesToBigInt(crypto.getRandomValues(new Uint8Array(256))) | 1n
  const anchor: number[] = []
  for (let i = 0; i < 12; i++) {
    const cpu = process.cpuUsage()
    modPow(3n, bytesToBigInt(crypto.getRandomValues(new Uint8Array(256))), p)
    if (i >= 3) anchor.push(cpuMs(cpu))
  }
  const modexpMs = quantile([...anchor].sort((x, y) => x - y), 0.5)

  const median = (xs: number[]) => quantile([...xs].sort((x, y) => x - y), 0.5)
  const row = (name: string, xs: Sample[], idle?: number[]) => {
    const w = xs.map((s) => s.wallMs).sort((x, y) => x - y)
    const c = median(xs.map((s) => s.cpuMs))
    return {
      case: name,
      runs: w.length,
      minMs: +w[0]!.toFixed(1),
      medianMs: +quantile(w, 0.5).toFixed(1),
      p90Ms: +quantile(w, 0.9).toFixed(1),
      cpuMedianMs: +c.toFixed(1),
      cpuModexps: +(c / modexpMs).toFixed(2),
      idleCpuMedianMs: idle ? +median(idle).toFixed(1) : null,
    }
  }
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    method:
      'client in this process, server in a child: connect() → first bound help.getConfig; fresh clears all storage and then ' +
      'stays open, untimed, until the DH powers are stored (a stored connect is a reload); rotation: rotateNow() after ' +
      `${IDLE_MS} ms idle; cpu = process.cpuUsage() over the same span; anchor = one 2048-bit modPow`,
    anchorModexpCpuMs: +modexpMs.toFixed(2),
    rows: [
      row('fresh (perm + temp handshakes in parallel)', fresh),
      row('stored perm key (temp handshake only)', stored),
      row('rotation after idle (DH group seen before)', rotation, idleCpu),
    ],
  }
  const out = join(import.meta.dirname, '../../../bench/results')
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'worker-connect.json'), JSON.stringify(result, null, 1) + '\n')
  console.table(result.rows)
  console.log(`anchor: one 2048-bit modPow = ${result.anchorModexpCpuMs} ms CPU`)
}

await main()
