/**
 * pfs-web's engine against mtcute 0.30.3 (obfuscated WebSocket, PFS on), in one run,
 * interleaved, against one conformance server in a child process (issue #17):
 * - connect on loopback, fresh (no perm key) and with a stored perm key: ms to the first
 *   answered help.getNearestDc;
 * - help.getNearestDc at 1 and at 32 in flight: calls/s, and the client's and the server's CPU
 *   ms per call;
 * - round trips to the first bound answer under the server's `latency` fault, without and
 *   with socket set-up charged (a proxy that delays every connection by one RTT).
 * Every pfs-web figure is also given as a ratio to mtcute's figure from the same run.
 * Writes bench/results/vs-mtcute.json. Run: pnpm bench:vs-mtcute (RUNS=, RTT_RUNS=, ROUNDS=,
 * CALLS=, RTT_MS=; PHASES=calls runs the small calls alone, in seconds).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { delayProxy, drive, mtcuteRival, pfsWebRival, startServerProcess, type Rival, type ServerProcess } from './rivals.ts'

const CONNECT_RUNS = Number(process.env.RUNS ?? 6)
const RTT_RUNS = Number(process.env.RTT_RUNS ?? 3)
/**
 * Rounds of small calls. On a shared 2-core VM one round's ratio ranges ~0.8–1.25 around
 * its median (steal time, the other process's GC), so a figure needs many rounds. Even with
 * 25, the median of the rounds' ratios moved 1.04–1.19 over six runs at 1 in flight.
 */
const CALL_ROUNDS = Number(process.env.ROUNDS ?? 25)
/** Calls per round at 1 in flight (~1 s here). */
const CALLS = Number(process.env.CALLS ?? 2000)
/**
 * At 32 in flight a round of CALLS took ~0.15 s, short enough for one GC or a stolen
 * slice of the VM to swing its ratio 0.77–1.52; this many times CALLS takes as long as a
 * round at 1 in flight.
 */
const CALLS_32_SCALE = 8
const RTT_MS = Number(process.env.RTT_MS ?? 50)
/** Which phases run: a comma list of connect, calls, rtt (default all). */
const PHASES = new Set((process.env.PHASES ?? 'connect,calls,rtt').split(','))

type Samples = Record<Rival['name'], number[]>
interface Case {
  case: string
  unit: string
  /** true when a larger figure is better (calls/s). */
  higherIsBetter: boolean
  /**
   * Sample i of each rival was taken back to back (the small calls): the ratio is the
   * median of the per-round ratios, so a slow stretch of the machine that both rivals of a
   * round run in cancels out instead of landing on whichever rival it happened to.
   */
  paired?: boolean
  samples: Samples
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

function newCase(name: string, unit: string, higherIsBetter = false, paired = false): Case {
  return { case: name, unit, higherIsBetter, paired, samples: { 'pfs-web': [], mtcute: [] } }
}

/** pfs-web / mtcute: of the medians, or for a paired case the median of the per-round ratios. */
function ratioOf(c: Case): number {
  const pfs = c.samples['pfs-web']
  const mt = c.samples.mtcute
  return c.paired ? median(pfs.map((x, i) => x / (mt[i] as number))) : median(pfs) / median(mt)
}

/** Each round lets the other rival go first, so neither always runs on a warmer machine. */
function inTurn(rivals: Rival[], round: number): Rival[] {
  return round % 2 === 0 ? rivals : [...rivals].reverse()
}

async function permKeysMade(server: ServerProcess): Promise<number> {
  return (await server.stats()).keys.filter((k) => k.kind === 'perm').length
}

/** A stalled client fails the run with its name instead of holding the suite lock. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, stalled])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * ms from connect() to the first bound answer; checks a stored start made no perm key.
 * A fresh start then gets its idle time, untimed.
 */
async function timedConnect(server: ServerProcess, rival: Rival, port: number, stored: boolean): Promise<number> {
  const permBefore = await permKeysMade(server)
  const client = await rival.client(port, stored)
  const t0 = performance.now()
  await within(30_000, `${rival.name} ${stored ? 'stored' : 'fresh'} connect on port ${port}`, client.firstAnswer())
  const ms = performance.now() - t0
  // a stored start models a reload of a page that was open for a while after its first connect
  if (!stored) await within(30_000, `${rival.name} idle`, client.idle?.() ?? Promise.resolve())
  await client.close()
  const made = (await permKeysMade(server)) - permBefore
  if (made !== (stored ? 0 : 1)) throw new Error(`${rival.name}: a ${stored ? 'stored' : 'fresh'} start made ${made} perm keys`)
  return ms
}

async function connectCases(server: ServerProcess, rivals: Rival[]): Promise<Case[]> {
  const fresh = newCase('connect, fresh (loopback)', 'ms')
  const stored = newCase('connect, stored perm key (loopback)', 'ms')
  for (let i = 0; i < CONNECT_RUNS; i++) {
    for (const r of inTurn(rivals, i)) {
      fresh.samples[r.name].push(await timedConnect(server, r, server.wsPort, false))
      stored.samples[r.name].push(await timedConnect(server, r, server.wsPort, true))
    }
  }
  return [fresh, stored]
}

async function rttCases(server: ServerProcess, rivals: Rival[]): Promise<Case[]> {
  const proxy = await delayProxy(server.host, server.wsPort, RTT_MS)
  const unit = `RTT (${RTT_MS} ms)`
  const cases = [
    { c: newCase('first bound answer, fresh', unit), port: server.wsPort, stored: false },
    { c: newCase('first bound answer, stored', unit), port: server.wsPort, stored: true },
    { c: newCase('first bound answer, fresh, socket set-up charged', unit), port: proxy.port, stored: false },
    { c: newCase('first bound answer, stored, socket set-up charged', unit), port: proxy.port, stored: true },
  ]
  await server.fault({ type: 'latency', ms: RTT_MS })
  try {
    for (let i = 0; i < RTT_RUNS; i++) {
      for (const r of inTurn(rivals, i)) {
        for (const { c, port, stored } of cases) c.samples[r.name].push((await timedConnect(server, r, port, stored)) / RTT_MS)
      }
    }
  } finally {
    await server.fault({ type: 'clear' })
    await proxy.close()
  }
  return cases.map(({ c }) => c)
}

async function callCases(server: ServerProcess, rivals: Rival[]): Promise<Case[]> {
  const clients = new Map<Rival['name'], Awaited<ReturnType<Rival['client']>>>()
  for (const r of rivals) {
    // the connect phase leaves a stored perm key; without it, the client makes one
    const client = await r.client(server.wsPort, PHASES.has('connect'))
    await within(30_000, `${r.name} connect`, client.firstAnswer())
    await within(60_000, `${r.name} warm-up`, drive(client.call, 500, 32))
    clients.set(r.name, client)
  }
  const cases = [1, 32].map((inFlight) => ({
    inFlight,
    rate: newCase(`help.getNearestDc, ${inFlight} in flight`, 'calls/s', true, true),
    cpu: newCase(`help.getNearestDc, ${inFlight} in flight, client CPU`, 'ms/call', false, true),
    // the same server for both: where a round trip's time goes that no client can change
    serverCpu: newCase(`help.getNearestDc, ${inFlight} in flight, server CPU`, 'ms/call', false, true),
  }))
  try {
    for (let i = 0; i < CALL_ROUNDS; i++) {
      // the two rivals' runs of one case are adjacent in time: a round's pair shares its machine
      for (const { inFlight, rate, cpu, serverCpu } of cases) {
        for (const r of inTurn(rivals, i)) {
          const calls = inFlight === 1 ? CALLS : CALLS * CALLS_32_SCALE
          const server0 = server.cpuMs()
          const { perS, cpuMs } = await within(60_000, `${r.name} calls`, drive(clients.get(r.name)!.call, calls, inFlight))
          rate.samples[r.name].push(perS)
          cpu.samples[r.name].push(cpuMs)
          serverCpu.samples[r.name].push((server.cpuMs() - server0) / calls)
        }
      }
    }
  } finally {
    for (const c of clients.values()) await c.close()
  }
  return cases.flatMap(({ rate, cpu, serverCpu }) => [rate, cpu, serverCpu])
}

async function main(): Promise<void> {
  const started = performance.now()
  const server = await startServerProcess()
  let cases: Case[]
  try {
    const rivals = [pfsWebRival(server), await mtcuteRival(server)]
    const phase = async (key: string, name: string, run: () => Promise<Case[]>): Promise<Case[]> => {
      if (!PHASES.has(key)) return []
      console.error(`${name}…`)
      return run()
    }
    cases = [
      ...(await phase('connect', 'connect on loopback', () => connectCases(server, rivals))),
      ...(await phase('calls', 'small calls', () => callCases(server, rivals))),
      ...(await phase('rtt', `round trips at ${RTT_MS} ms`, () => rttCases(server, rivals))),
    ]
  } finally {
    await server.close()
  }
  const digits = (x: number): number => +x.toFixed(x < 10 ? 3 : 1)
  const rows = cases.map((c) => {
    const pfs = median(c.samples['pfs-web'])
    const mt = median(c.samples.mtcute)
    return {
      case: c.case,
      unit: c.unit,
      'pfs-web': digits(pfs),
      mtcute: digits(mt),
      'pfs-web / mtcute': +ratioOf(c).toFixed(2),
      better: c.higherIsBetter ? 'higher' : 'lower',
    }
  })
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    method:
      'one run, rivals interleaved (who goes first alternates per round); @pfs-web/server in a child process, ws loopback; ' +
      'mtcute 0.30.3 over obfuscated intermediate WebSocket with usePfs; figures are medians, ratios are pfs-web / mtcute (of the medians; ' +
      'for small calls, where the rivals run each case back to back, the median of the per-round ratios); ' +
      `RTT rows: server latency fault ${RTT_MS} ms, elapsed / RTT, "socket set-up charged" = every TCP connection delayed one RTT by a proxy; ` +
      'CPU = process.cpuUsage of the bench process (clients only) / calls; a fresh start clears all storage and, untimed after ' +
      'its answer, stays open until pfs-web has stored its DH fixed-base powers (idle time a page has), which stored starts read',
    runs: { phases: [...PHASES], connect: CONNECT_RUNS, rtt: RTT_RUNS, callRounds: CALL_ROUNDS, callsPerRound: { 1: CALLS, 32: CALLS * CALLS_32_SCALE } },
    rows,
    samples: Object.fromEntries(cases.map((c) => [c.case, c.samples])),
    seconds: +((performance.now() - started) / 1000).toFixed(1),
  }
  const out = join(import.meta.dirname, '../../../bench/results')
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'vs-mtcute.json'), JSON.stringify(result, null, 1) + '\n')
  console.table(rows)
  console.log(`${result.seconds} s; bench/results/vs-mtcute.json`)
}

// Ends the process itself once the table is out: mtcute 0.30.3's ServerSaltManager
// keeps the timer it armed on future_salts (_scheduleReplace) after client.destroy(), so
// the process would otherwise outlive the run by as long as the salts are valid and
// leave the pnpm script hanging, or killed with a non-zero exit (issue #17).
await main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
