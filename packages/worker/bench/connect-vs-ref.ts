/**
 * Client CPU of a stored-perm-key start (init() + connect() → first bound help.getConfig), this
 * tree's engine against the engine of an older commit, in one run: both in this process,
 * interleaved (who goes first alternates), against one conformance server in a child
 * process, each with a perm key it made itself. Issue #17 asks for "≤ 60 % of today's":
 * REF defaults to 10e4caa, main just before #17's first merge. Also gives each as a
 * multiple of one 2048-bit modPow measured in the same rounds.
 *
 * The older tree is checked out as a detached git worktree under the system temp folder
 * and installed offline from the pnpm store (REF_DIR= uses a tree already installed).
 * Writes bench/results/connect-vs-ref.json. Run: pnpm bench:connect-vs-ref (RUNS=, REF=).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { bytesToBigInt, modPow } from '@pfs-web/crypto'
import type { WorkerOptions } from '../src/api.ts'
import { engineOptions } from '../src/test-support/engine-options.ts'
import { startServerProcess, untilStored } from './rivals.ts'

const RUNS = Number(process.env.RUNS ?? 12)
const REF = process.env.REF ?? '10e4caa'
const root = join(import.meta.dirname, '../../..')

interface Engine {
  init(options: WorkerOptions): Promise<void>
  connect(): Promise<void>
  getConfig(): Promise<{ thisDc: number }>
  close(): Promise<void>
}
interface Tree {
  name: string
  newEngine: () => Engine
  cpu: number[]
  /** The stored DH powers (issue #17); null when the tree's storage keeps none. */
  powers: () => unknown
}

/** The engine factory and in-memory perm-key store of the tree at `dir`. */
async function load(name: string, dir: string): Promise<Tree> {
  const src = join(dir, 'packages/worker/src')
  const { createEngine } = (await import(pathToFileURL(join(src, 'engine.ts')).href)) as { createEngine: (env: unknown) => Engine }
  const { memoryPermKeys, nodeEnv } = (await import(pathToFileURL(join(src, 'test-support/node-env.ts')).href)) as {
    memoryPermKeys: () => unknown
    nodeEnv: (keys: unknown) => unknown
  }
  const keys = memoryPermKeys() as { setDhPowers?: unknown; powers?: unknown }
  return { name, newEngine: () => createEngine(nodeEnv(keys)), cpu: [], powers: () => (keys.setDhPowers ? keys.powers : null) }
}

function refTree(): string {
  if (process.env.REF_DIR) return process.env.REF_DIR
  const sha = execFileSync('git', ['rev-parse', '--short', REF], { cwd: root, encoding: 'utf8' }).trim()
  const dir = join(tmpdir(), `pfs-web-ref-${sha}`)
  if (!existsSync(join(dir, 'node_modules'))) {
    if (!existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd: root, stdio: 'ignore' })
    const pnpm = `pnpm@${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string }).packageManager.split('@')[1]}`
    execFileSync('npx', ['-y', pnpm, 'install', '--frozen-lockfile', '--offline'], {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
    })
  }
  return dir
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1000
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

async function main(): Promise<void> {
  const refDir = refTree()
  const server = await startServerProcess()
  const options = engineOptions(server)
  const trees = [await load(`ref ${REF}`, refDir), await load('this tree', root)]
  const connect = async (tree: Tree, idle = false): Promise<number> => {
    const engine = tree.newEngine()
    // init() counts: it reads what the last page stored (this tree: the perm key and the DH powers)
    const cpu = process.cpuUsage()
    await engine.init(options)
    await engine.connect()
    const config = await engine.getConfig()
    const used = cpuMs(cpu)
    if (config.thisDc !== 2) throw new Error(`${tree.name}: wrong config`)
    // a page stays open past its first connect: the engine builds and stores the DH
    // group's powers in idle time, which every later stored connect of the tree reads
    if (idle && tree.powers() !== null) await untilStored(tree.name, tree.powers)
    await engine.close()
    return used
  }
  const p = (1n << 2047n) | bytesToBigInt(crypto.getRandomValues(new Uint8Array(256))) | 1n
  const anchor: number[] = []
  const ratios: number[] = []
  try {
    // each makes its perm key, then one stored connect warms the JIT
    for (const tree of trees) for (let i = 0; i < 2; i++) await connect(tree, i === 1)
    for (let round = 0; round < RUNS; round++) {
      const order = round % 2 === 0 ? trees : [...trees].reverse()
      for (const tree of order) tree.cpu.push(await connect(tree))
      const cpu = process.cpuUsage()
      modPow(3n, bytesToBigInt(crypto.getRandomValues(new Uint8Array(256))), p)
      anchor.push(cpuMs(cpu))
      ratios.push((trees[1]?.cpu[round] as number) / (trees[0]?.cpu[round] as number))
    }
  } finally {
    await server.close()
  }
  const modexp = median(anchor)
  const rows = trees.map((t) => ({
    engine: t.name,
    'cpu median ms': +median(t.cpu).toFixed(1),
    'in 2048-bit modPows': +(median(t.cpu) / modexp).toFixed(2),
  }))
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    method:
      'stored-perm-key start: init() + connect() → first bound help.getConfig; cpu = process.cpuUsage() of this process over that span (the server ' +
      `is a child process); ${RUNS} rounds, the two engines interleaved, order alternating; anchor = one 2048-bit modPow per round; ` +
      'before the rounds, each tree\'s warm-up connect stays open until its engine has stored the DH fixed-base powers (a tree ' +
      'whose storage has no setDhPowers, the ref, skips that), as a page does in idle time after its first connect',
    ref: REF,
    anchorModexpCpuMs: +modexp.toFixed(2),
    rows,
    'this tree / ref, median of per-round ratios': +median(ratios).toFixed(2),
    'this tree / ref, ratio of medians': +(median(trees[1]?.cpu ?? []) / median(trees[0]?.cpu ?? [])).toFixed(2),
  }
  const out = join(root, 'bench/results')
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'connect-vs-ref.json'), JSON.stringify(result, null, 1) + '\n')
  console.table(rows)
  console.log(`anchor ${result.anchorModexpCpuMs} ms; this tree / ref: ${result['this tree / ref, median of per-round ratios']} (per round), ${result['this tree / ref, ratio of medians']} (medians); bench/results/connect-vs-ref.json`)
}

await main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
