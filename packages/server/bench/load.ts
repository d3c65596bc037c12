// Load run for issue #4: N concurrent clients (default 200), each perm + temp handshake,
// bind and 20 API calls, against the server started through its CLI in a child process.
// Prints handshakes/s and the server's RSS; writes bench/results/server-load.json.
// Run: npx tsx packages/server/bench/load.ts [clients] [calls]
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ControlClient } from '@pfs-web/control-client'
import { runLoad } from '../src/test-support/load.ts'
import { processCpuSeconds } from './process-cpu.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const clients = Number(process.argv[2] ?? 200)
const calls = Number(process.argv[3] ?? 20)
const dataDir = mkdtempSync(join(tmpdir(), 'pfs-load-'))

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'packages/server/src/cli.ts', '--tcp-port', '0', '--ws-port', '0', '--control-port', '0', '--data', dataDir],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
)
let out = ''
await new Promise<void>((ready, fail) => {
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    if (out.includes('pfs-server ready')) ready()
  })
  child.on('exit', (code) => fail(new Error(`server exited with ${code}`)))
})
const controlPort = Number(/control\s+http:\/\/[\d.]+:(\d+)/.exec(out)?.[1])
const control = new ControlClient(`http://127.0.0.1:${controlPort}`)
const info = await control.info()

const rssMiB = (): number => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024
}
const cpuSeconds = (): number => processCpuSeconds(child.pid)
const rssBefore = rssMiB()
const cpuBefore = cpuSeconds()
let rssPeak = rssBefore
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB())), 100)
const result = await runLoad(
  { kind: 'tcp', host: '127.0.0.1', port: info.tcpPort, framing: 'padded', obfuscated: true },
  info.rsaPublicKeyPem,
  clients,
  calls,
)
clearInterval(sampler)
const serverCpu = cpuSeconds() - cpuBefore
const stats = await control.stats()
const rssAfter = rssMiB()
child.kill('SIGTERM')
await new Promise((r) => child.on('exit', r))
rmSync(dataDir, { recursive: true, force: true })

const report = {
  name: 'server-load',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version },
  transport: 'tcp obfuscated padded intermediate; clients in a separate process from the server',
  ...result,
  serverCpuSeconds: round(serverCpu),
  serverHandshakesPerCpuSecond: round(result.handshakes / serverCpu),
  serverRssMiB: { idle: round(rssBefore), peak: round(rssPeak), after: round(rssAfter) },
  serverStats: {
    bindsOk: stats.binds.ok,
    violations: stats.violations.count,
    transportErrors: stats.transportErrors,
    badMsgNotifications: stats.badMsgNotifications,
  },
}
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(join(root, 'bench/results/server-load.json'), JSON.stringify(report, null, 2) + '\n')
console.log(
  `${clients} clients x ${calls} calls: ${result.errors} errors, ${round(result.seconds)} s, ` +
    `${round(result.handshakesPerSecond)} handshakes/s, server CPU ${round(serverCpu)} s ` +
    `(${round(result.handshakes / serverCpu)} handshakes per server CPU second, binds and calls included), ` +
    `server RSS idle ${round(rssBefore)} MiB, peak ${round(rssPeak)} MiB`,
)
if (result.errors > 0) {
  console.error(`first error: ${result.firstError}`)
  process.exitCode = 1
}

function round(x: number): number {
  return Math.round(x * 10) / 10
}
