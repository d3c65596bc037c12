/**
 * Page side of `pnpm bench:session` (issue #5), driven by run.ts. Checks that the worker
 * path and the in-page engine answer alike, then times connect, small calls and 512 KiB
 * file parts on both, interleaved in rounds, plus a bare Comlink echo as the floor.
 */
import { deleteDatabase, openEcho, openRawEcho, openSession, type Impl, type ServerInfo, type Session } from './contenders.ts'

export interface BenchConfig extends ServerInfo {
  /** connect() runs per case and contender */
  runs: number
  /** timed slices per throughput case and contender, interleaved */
  rounds: number
  sliceMs: number
  /** slices for the 512 KiB cases: a part takes tens of ms, so a short slice holds too few */
  partSliceMs: number
}

export type RowImpl = Impl | 'comlink-echo' | 'postMessage-echo'

export interface Row {
  case: string
  impl: RowImpl
  /** the median over runs (ms) or over slices (rates) */
  value: number
  unit: 'ms' | 'calls/s' | 'MB/s'
  samples: number
  min: number
  /** p90 for ms, the best slice for rates */
  p90?: number
  max?: number
  inFlight?: number
  bytes?: number
}

/** worker ÷ another contender, slice by slice within each round, then the median over rounds. */
export interface PairedRatio {
  case: string
  inFlight: number
  over: RowImpl
  median: number
  min: number
  max: number
}

export interface BenchResult {
  rows: Row[]
  paired: PairedRatio[]
  userAgent: string
}

declare global {
  interface Window {
    sessionBench?: (config: BenchConfig) => Promise<BenchResult>
  }
}

const PART = 512 * 1024
const IMPLS: Impl[] = ['worker', 'direct']
const SMALL_IN_FLIGHT = [1, 32]
const PART_IN_FLIGHT = [1, 4]
const DOWNLOAD_PARTS = 8
/** Upload parts cycle through this many slots, so the server's in-memory file stays small. */
const UPLOAD_SLOTS = 16

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

function summary(xs: number[]): { value: number; samples: number; min: number; p90: number; max: number } {
  const s = [...xs].sort((a, b) => a - b)
  return { value: quantile(s, 0.5), samples: s.length, min: s[0] as number, p90: quantile(s, 0.9), max: s[s.length - 1] as number }
}

/** Deterministic part contents: each part differs, so a wrong offset cannot pass the check. */
function partBytes(part: number): Uint8Array {
  const out = new Uint8Array(PART)
  for (let i = 0; i < PART; i++) out[i] = (i * 31 + part * 7 + (i >>> 9)) & 0xff
  return out
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** Completed operations per second with `inFlight` loops issuing `op` until the slice ends. */
async function rate(op: (i: number) => Promise<unknown>, inFlight: number, ms: number): Promise<number> {
  let started = 0
  const t0 = performance.now()
  const end = t0 + ms
  const loop = async (): Promise<void> => {
    while (performance.now() < end) await op(started++)
  }
  await Promise.all(Array.from({ length: inFlight }, loop))
  return started / ((performance.now() - t0) / 1000)
}

interface ConnectTiming {
  startMs: number
  connectMs: number
}

/** createPfsClient/init → ready, then connect() → the first answered help.getConfig. */
async function timeConnect(impl: Impl, server: ServerInfo, storageName: string, wantPermHandshakes: number): Promise<ConnectTiming> {
  const t0 = performance.now()
  const session = openSession(impl, server, storageName)
  try {
    await session.ready
    const t1 = performance.now()
    const state = await session.connect()
    const config = await session.getConfig()
    const t2 = performance.now()
    if (!state.bound || config.thisDc !== 2) throw new Error(`${impl}: not bound or wrong config`)
    // The stored case must really reuse the perm key from IndexedDB, or it times the wrong thing.
    if (state.handshakes.perm !== wantPermHandshakes) throw new Error(`${impl}: ${state.handshakes.perm} perm handshakes, want ${wantPermHandshakes}`)
    return { startMs: t1 - t0, connectMs: t2 - t1 }
  } finally {
    await session.close()
  }
}

async function connectRows(config: BenchConfig, stamp: string): Promise<Row[]> {
  const ms: Record<string, number[]> = {}
  const push = (key: string, x: number): void => void (ms[key] ??= []).push(x)
  const names: string[] = []
  for (let run = 0; run < config.runs; run++) {
    for (const impl of IMPLS) {
      const name = `pfs-bench-${stamp}-${impl}-${run}`
      names.push(name)
      const fresh = await timeConnect(impl, config, name, 1)
      const stored = await timeConnect(impl, config, name, 0)
      push(`fresh/${impl}`, fresh.connectMs)
      push(`stored/${impl}`, stored.connectMs)
      if (impl === 'worker') push('start/worker', stored.startMs)
    }
    console.log(`connect run ${run + 1}/${config.runs}`)
  }
  await Promise.all(names.map(deleteDatabase))
  const row = (caseName: string, key: string, impl: Impl): Row => ({ case: caseName, impl, unit: 'ms', ...summary(ms[key] ?? []) })
  return [
    ...IMPLS.flatMap((impl) => [
      row('connect fresh (no stored perm key) → first getConfig', `fresh/${impl}`, impl),
      row('connect stored perm key → first getConfig', `stored/${impl}`, impl),
    ]),
    // Module loading from the Vite dev server (unbundled) dominates this one.
    row('worker start (createPfsClient → ready), dev server', 'start/worker', 'worker'),
  ]
}

type Op = (i: number) => Promise<unknown>

/**
 * Interleaves the contenders round by round, after one full warm-up slice each (JIT tiers
 * and the engine's buffers settle in the first few hundred ms). The order flips every
 * round, so no contender always runs just after the same other one. The ratios pair each
 * round's worker slice with the other contenders' slices of the same round: a machine
 * shared with other work drifts between rounds far more than within one.
 */
async function rateRows(
  config: BenchConfig, sliceMs: number, caseName: string, unit: Row['unit'], perOp: number,
  contenders: [RowImpl, Op][], inFlight: number, bytes?: number,
): Promise<{ rows: Row[]; paired: PairedRatio[] }> {
  const slices = new Map<RowImpl, number[]>(contenders.map(([impl]) => [impl, []]))
  for (const [, op] of contenders) await rate(op, inFlight, sliceMs)
  for (let round = 0; round < config.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse()
    for (const [impl, op] of order) slices.get(impl)?.push((await rate(op, inFlight, sliceMs)) * perOp)
  }
  console.log(`${caseName} @${inFlight} done`)
  const rows = contenders.map(([impl]): Row => {
    const { p90: _p90, ...s } = summary(slices.get(impl) ?? [])
    return { case: caseName, impl, unit, ...s, inFlight, ...(bytes === undefined ? {} : { bytes }) }
  })
  const worker = slices.get('worker') ?? []
  const paired = contenders.filter(([impl]) => impl !== 'worker').map(([over]): PairedRatio => {
    const other = slices.get(over) ?? []
    const { value, min, max } = summary(worker.map((w, i) => w / (other[i] as number)))
    return { case: caseName, inFlight, over, median: value, min, max }
  })
  return { rows, paired }
}

async function throughputRows(config: BenchConfig, stamp: string): Promise<{ rows: Row[]; paired: PairedRatio[] }> {
  const sessions = new Map<Impl, Session>()
  const echo = openEcho()
  const rawEcho = openRawEcho()
  const names: string[] = []
  try {
    for (const impl of IMPLS) {
      const name = `pfs-bench-${stamp}-${impl}-calls`
      names.push(name)
      const s = openSession(impl, config, name)
      sessions.set(impl, s)
      await s.ready
      await s.connect()
    }
    const session = (impl: Impl): Session => sessions.get(impl) as Session
    const parts = Array.from({ length: DOWNLOAD_PARTS }, (_, k) => partBytes(k))
    const uploadId = (impl: Impl): bigint => (impl === 'worker' ? 1n : 2n)
    const downloadId = (impl: Impl): bigint => (impl === 'worker' ? 11n : 12n)

    // Equal output first: same answers from both paths, and the download returns what went up.
    const nearest = await Promise.all(IMPLS.map((impl) => session(impl).getNearestDc()))
    if (JSON.stringify(nearest[0]) !== JSON.stringify(nearest[1])) throw new Error(`getNearestDc differs: ${JSON.stringify(nearest)}`)
    const small = new Uint8Array(64).map((_, i) => i)
    if (!sameBytes(await echo.echo(small), small)) throw new Error('echo differs')
    if (!sameBytes(await rawEcho.echo(small), small)) throw new Error('postMessage echo differs')
    for (const impl of IMPLS) {
      for (const [k, p] of parts.entries()) await session(impl).saveFilePart(downloadId(impl), k, p.slice())
      for (const k of [0, DOWNLOAD_PARTS - 1]) {
        const got = await session(impl).getFile(downloadId(impl), k * PART, PART)
        if (!sameBytes(got, parts[k] as Uint8Array)) throw new Error(`${impl}: getFile part ${k} differs from what was uploaded`)
      }
    }

    const rows: Row[] = []
    const paired: PairedRatio[] = []
    const add = (r: { rows: Row[]; paired: PairedRatio[] }): void => void (rows.push(...r.rows), paired.push(...r.paired))
    for (const n of SMALL_IN_FLIGHT) {
      add(await rateRows(config, config.sliceMs, 'small call help.getNearestDc', 'calls/s', 1, [
        ['worker', () => session('worker').getNearestDc()],
        ['direct', () => session('direct').getNearestDc()],
        ['comlink-echo', () => echo.echo(small.slice())],
        ['postMessage-echo', () => rawEcho.echo(small.slice())],
      ], n, 64))
    }
    const mb = PART / 1e6
    for (const n of PART_IN_FLIGHT) {
      add(await rateRows(config, config.partSliceMs, 'upload saveFilePart 512 KiB', 'MB/s', mb,
        IMPLS.map((impl): [Impl, Op] => [impl, (i) => session(impl).saveFilePart(uploadId(impl), i % UPLOAD_SLOTS, (parts[i % DOWNLOAD_PARTS] as Uint8Array).slice())]),
        n, PART))
    }
    for (const n of PART_IN_FLIGHT) {
      add(await rateRows(config, config.partSliceMs, 'download getFile 512 KiB', 'MB/s', mb,
        IMPLS.map((impl): [Impl, Op] => [impl, (i) => session(impl).getFile(downloadId(impl), (i % DOWNLOAD_PARTS) * PART, PART)]),
        n, PART))
    }
    return { rows, paired }
  } finally {
    echo.close()
    rawEcho.close()
    await Promise.all([...sessions.values()].map((s) => s.close()))
    await Promise.all(names.map(deleteDatabase))
  }
}

window.sessionBench = async (config) => {
  const stamp = `${Date.now()}`
  const connect = await connectRows(config, stamp)
  const { rows, paired } = await throughputRows(config, stamp)
  return { rows: [...connect, ...rows], paired, userAgent: navigator.userAgent }
}
