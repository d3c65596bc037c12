/**
 * Shared pieces of the lifecycle suites (src/lifecycle/, issue #6): a private conformance
 * server per suite (driven through @pfs-web/control-client), a client on the real engine
 * worker with its key events timestamped on the page, and a steady stream of calls whose
 * every answer is checked. Page wall time (Date.now) is the common clock: the server runs on this machine
 * with the system clock, and the engine reports its offset against the wall clock.
 */
import type { DcStateView, KeyEvent } from '@pfs-web/worker'
import type { ControlClient } from '@pfs-web/control-client'
import { inject } from 'vitest'
import { createPfsClient, type PfsClient, type PfsClientOptions } from '../src/client.ts'
import type { IsolatedServerName, PfsServerInfo } from './global-setup.ts'

export function isolatedServer(name: IsolatedServerName): PfsServerInfo {
  const servers = inject('pfsServers')
  if (!servers) throw new Error('no pfsServers: add packages/client/test/global-setup.ts to the chromium project globalSetup')
  return servers[name]
}

/** The engine's key ids are the wire hex of auth_key_id; the server's are signed decimal longs. */
export function serverKeyId(idHex: string): string {
  const wire = Uint8Array.from(idHex.match(/../g) ?? [], (h) => parseInt(h, 16))
  return new DataView(wire.buffer).getBigInt64(0, true).toString()
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))
}

/** A live temp key's bytes (test-only API; the engine's key id), or null once the server forgot it. */
export async function tempKeyBytes(control: ControlClient, idHex: string): Promise<Uint8Array | null> {
  const hex = await control.tempKeyHex(serverKeyId(idHex))
  return hex === null ? null : fromHex(hex)
}

export interface SeenEvent extends KeyEvent {
  /** Page wall ms when the page received it. */
  seenAt: number
}

export interface LifecycleClient {
  client: PfsClient
  events: SeenEvent[]
  /** Every state view the page was sent, with its page wall ms. */
  views: { seenAt: number; view: DcStateView }[]
  storageName: string
  dispose(): Promise<void>
}

const APP = { apiId: 1, deviceModel: 'chromium', systemVersion: 'test', appVersion: '0.1', systemLangCode: 'en', langPack: '', langCode: 'en' }

let clients = 0

export function deleteDatabase(name: string): Promise<unknown> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = req.onerror = req.onblocked = resolve
  })
}

/** The options lifecycleClient starts a client with (for a client made in another realm). */
export function clientOptions(info: PfsServerInfo, dcId: number, extra: Partial<PfsClientOptions> = {}): PfsClientOptions {
  return {
    dcs: [{ id: dcId, url: info.wsUrl }],
    defaultDcId: dcId,
    rsaPublicKeys: [info.rsaPem],
    app: APP,
    layer: 227,
    defaultTimeoutMs: 30_000,
    ...extra,
  }
}

export function lifecycleClient(info: PfsServerInfo, dcId: number, extra: Partial<PfsClientOptions> = {}): LifecycleClient {
  const storageName = extra.storageName ?? `pfs-lifecycle-${Date.now()}-${++clients}`
  const client = createPfsClient({ ...clientOptions(info, dcId, extra), storageName })
  const events: SeenEvent[] = []
  const views: LifecycleClient['views'] = []
  client.onKeyEvent((e) => events.push({ ...e, seenAt: Date.now() }))
  client.subscribe((dcs) => {
    const view = dcs.find((d) => d.dcId === dcId)
    if (view) views.push({ seenAt: Date.now(), view })
  })
  return {
    client,
    events,
    views,
    storageName,
    async dispose() {
      await client.close()
      if (extra.storageName === undefined) await deleteDatabase(storageName)
    },
  }
}

export interface CallRecord {
  i: number
  /** Page wall ms. */
  issuedAt: number
  /** Latency in ms (performance.now based); null while pending. */
  latencyMs: number | null
  outcome: 'pending' | 'ok' | 'wrong-answer' | 'failed'
  error?: unknown
}

/** A call whose answer can be checked: resolves true when the answer is the right one. */
export type Probe = (client: PfsClient, i: number) => Promise<boolean>

/** help.getNearestDc: the answer names the DC it was asked on. Needs no server state. */
export function nearestDcProbe(dcId: number): Probe {
  return async (client) => (await client.getNearestDc(dcId)).thisDc === dcId
}

const FILE_SLICES = 64
const SLICE = 4096

function fileBytes(fileId: bigint): Uint8Array {
  const seed = Number(fileId % 251n)
  return Uint8Array.from({ length: FILE_SLICES * SLICE }, (_, k) => (k * 31 + (k >> 10) * 7 + seed) & 0xff)
}

/**
 * upload.getFile of call i's own 1 KiB slice of a file uploaded first: each call has a
 * different right answer, so a lost, swapped or duplicated answer shows. The file lives
 * in the server's RAM, so not for server restarts. It rides the main connection, the one
 * the suites connect and fault: the file helpers would otherwise use the upload and
 * download pools (issue #15), each with a temp key of its own.
 */
export async function fileSliceProbe(client: PfsClient, dcId: number, fileId: bigint): Promise<Probe> {
  const whole = fileBytes(fileId)
  await client.saveFilePart(fileId, 0, whole.slice(), { dcId, pool: 'main' })
  return async (c, i) => {
    const offset = (i % FILE_SLICES) * SLICE
    const got = await c.getFile(fileId, offset, SLICE, { dcId, pool: 'main' })
    const want = whole.subarray(offset, offset + SLICE)
    return got.length === SLICE && got.every((b, k) => b === want[k])
  }
}

/** Issues `probe` at `perSecond` (schedule kept against drift) until stop(); records each call. */
export class CallStream {
  readonly calls: CallRecord[] = []
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly pending = new Set<Promise<void>>()

  constructor(
    private readonly client: PfsClient,
    private readonly probe: Probe,
    private readonly perSecond: number,
  ) {}

  start(): this {
    const period = 1000 / this.perSecond
    const t0 = Date.now()
    const tick = (): void => {
      this.issue()
      const next = t0 + this.calls.length * period
      this.timer = setTimeout(tick, Math.max(0, next - Date.now()))
    }
    tick()
    return this
  }

  /** One call now, outside the schedule. */
  issue(): Promise<void> {
    const record: CallRecord = { i: this.calls.length, issuedAt: Date.now(), latencyMs: null, outcome: 'pending' }
    this.calls.push(record)
    const t = performance.now()
    const done = this.probe(this.client, record.i).then(
      (right) => {
        record.outcome = right ? 'ok' : 'wrong-answer'
      },
      (error: unknown) => {
        record.outcome = 'failed'
        record.error = error
      },
    )
    const tracked = done.finally(() => {
      record.latencyMs = performance.now() - t
      this.pending.delete(tracked)
    })
    this.pending.add(tracked)
    return tracked
  }

  /** Stops issuing and waits for every issued call to settle. */
  async stop(): Promise<CallRecord[]> {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    while (this.pending.size > 0) await Promise.all([...this.pending])
    return this.calls
  }

  /** The first call issued at or after `at` that answered right, or null. */
  firstOkAfter(at: number): CallRecord | null {
    return this.calls.find((c) => c.issuedAt >= at && c.outcome === 'ok') ?? null
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}

export function summary(calls: readonly CallRecord[]): { total: number; ok: number; wrong: number; failed: number; pending: number } {
  const count = (o: CallRecord['outcome']) => calls.filter((c) => c.outcome === o).length
  return { total: calls.length, ok: count('ok'), wrong: count('wrong-answer'), failed: count('failed'), pending: count('pending') }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `check` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`until: nothing after ${timeoutMs} ms`)
    await sleep(everyMs)
  }
}

/** Writes a figure line the report can quote (vitest shows stdout per test). */
export function figure(name: string, values: Record<string, unknown>): void {
  // eslint-disable-next-line no-console -- test output, not src
  console.log(`[figure] ${name} ${JSON.stringify(values)}`)
}

export interface FaultRun {
  calls: CallRecord[]
  /** Fault injected → first call issued after it answered right (ms). */
  recoveryMs: number
}

/**
 * Runs `probe` at `perSecond` around a fault: calls flow for `leadMs`, then `inject`
 * runs; the run waits for the first right answer to a call issued after the fault, lets
 * calls flow for `tailMs` more, and waits until every call settled.
 */
export async function aroundFault(
  client: PfsClient,
  probe: Probe,
  inject: () => Promise<unknown>,
  { perSecond = 20, leadMs = 300, tailMs = 300, recoverWithinMs = 45_000 } = {},
): Promise<FaultRun> {
  const stream = new CallStream(client, probe, perSecond).start()
  await sleep(leadMs)
  await inject()
  // from when the fault is in force (inject resolves once it is)
  const injectedAt = Date.now()
  let recoveryMs = Number.NaN
  try {
    const first = await until(() => stream.calls.find((c) => c.issuedAt >= injectedAt && c.outcome === 'ok'), recoverWithinMs)
    recoveryMs = Math.round(first.issuedAt + (first.latencyMs ?? 0) - injectedAt)
    await sleep(tailMs)
  } finally {
    await stream.stop()
  }
  return { calls: stream.calls, recoveryMs }
}
