/**
 * The stored-perm-key connect alone, for profiling (issue #17): the server in a child
 * process, RUNS connects of a new engine holding a stored perm key and the DH powers an
 * earlier page stored (a reload's first connect: temp handshake, bind, first help.getConfig). Prints the CPU split by function (self time,
 * top entries) over the measured runs, after one warm-up, then the busy (non-idle) main
 * thread split into 2048-bit modexp, pq factorisation, other crypto and the rest; with
 * PROFILE=file.cpuprofile it also writes the profile. Run: RUNS=10 tsx packages/worker/bench/profile-connect.ts
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { createEngine } from '../src/engine.ts'
import { engineOptions } from '../src/test-support/engine-options.ts'
import { memoryPermKeys, nodeEnv } from '../src/test-support/node-env.ts'
import { startServerProcess, untilStored } from './rivals.ts'

const RUNS = Number(process.env.RUNS ?? 10)

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

const server = await startServerProcess()
try {
  const options = engineOptions(server)
  const storage = memoryPermKeys()
  const connect = async (idle = false): Promise<void> => {
    const engine = createEngine(nodeEnv(storage))
    await engine.init(options)
    await engine.connect()
    await engine.getConfig()
    if (idle) await untilStored('DH powers', () => storage.powers)
    await engine.close()
  }
  // makes the perm key, warms the JIT, then idles as a page does: the engine stores the DH
  // group's fixed-base powers, which the measured connects (reloads) read
  await connect(true)
  await connect()
  const inspector = new Session()
  inspector.connect()
  await inspector.post('Profiler.enable')
  await inspector.post('Profiler.setSamplingInterval', { interval: 100 })
  await inspector.post('Profiler.start')
  const cpu = process.cpuUsage()
  for (let i = 0; i < RUNS; i++) await connect()
  const used = process.cpuUsage(cpu)
  const { profile } = await inspector.post('Profiler.stop')
  inspector.disconnect()
  if (process.env.PROFILE) writeFileSync(process.env.PROFILE, JSON.stringify(profile))
  const nodes = profile.nodes as ProfileNode[]
  const byFn = new Map<string, number>()
  const split = new Map<string, number>()
  let total = 0
  for (const n of nodes) {
    const hits = n.hitCount ?? 0
    if (hits === 0) continue
    const f = n.callFrame
    const where = f.url === '' ? '' : ` ${f.url.replace(/^.*\/packages\//, '')}:${f.lineNumber + 1}`
    const key = `${f.functionName || '(anonymous)'}${where}`
    byFn.set(key, (byFn.get(key) ?? 0) + hits)
    const part = partOf(f.functionName, f.url)
    split.set(part, (split.get(part) ?? 0) + hits)
    total += hits
  }
  const cpuMs = (used.user + used.system) / 1000 / RUNS
  console.log(`${RUNS} stored connects: ${cpuMs.toFixed(1)} ms CPU each (this process)`)
  const top = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25)
  for (const [fn, hits] of top) console.log(`${((100 * hits) / total).toFixed(1).padStart(5)} %  ${fn}`)
  const busy = total - (split.get('idle') ?? 0)
  console.log('busy main thread, by part:')
  for (const [part, hits] of [...split].filter(([p]) => p !== 'idle').sort((a, b) => b[1] - a[1])) {
    console.log(`${((100 * hits) / busy).toFixed(1).padStart(5)} %  ${part}`)
  }
} finally {
  await server.close()
}

/** Which part of a stored connect a sampled function belongs to (by self time). */
function partOf(fn: string, url: string): string {
  if (fn === '(idle)') return 'idle'
  // Small modexps (Miller–Rabin on p and q, RSA with e = 65537) share the function; they
  // are well under 1 % of it.
  if (fn === 'modPowSteps' || fn === 'fixedBasePowSteps') return 'modexp (g^b, g_a^b)'
  if (/crypto\/src\/(factorize|squfof|primality)\.ts/.test(url)) return 'pq factorisation'
  if (url.includes('crypto/src/')) return 'other crypto'
  return 'rest (engine, TL, ws, node, GC)'
}
