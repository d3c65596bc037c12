/**
 * Issue #16 in virtual time: the real engine and the real server core with two DCs. A call
 * answered PHONE_MIGRATE_2 moves home and succeeds there; a file that lives on DC 2 is read
 * through FILE_MIGRATE_2 after export/import of the authorization, while the temp keys of
 * both DCs rotate. The sim's invariants hold at every step for every connection (no API
 * message under a perm key, storm and rotation budgets, one socket per temp key, every call
 * settled once by its deadline, nothing left after close), and each DC has one perm key
 * that every temp key of that DC is bound to.
 */
import { PfsError } from '@pfs-web/errors'
import type { FaultAction } from '@pfs-web/control-client'
import { deserializeObject, serializeObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import type { InvokeOptions } from '../api.ts'
import { Invariants, type CallRecord } from './invariants.ts'
import { World } from './world.ts'

const LIFETIME_S = 10
const TIMEOUT_MS = 30_000

interface Plan {
  faults: { at: number; action: FaultAction }[]
  /** Calls: when, the request, its options, and whether the answer is right. */
  calls: { at: number; request: Uint8Array; opts?: InvokeOptions; right: (bytes: Uint8Array) => boolean }[]
  durationMs: number
}

async function run(seed: number, plan: Plan) {
  const world: World = new World({
    seed,
    tempKeyLifetimeS: [LIFETIME_S, LIFETIME_S],
    latencyMs: 5,
    jitterMs: 2,
    onPacketCalls: (calls) => inv.onServerPacket(world.time.now, calls),
    onKeyConnection: (use) => inv.onKeyConnection(world.time.now, use, (id) => world.net.socketEnd(id)),
  })
  const inv = new Invariants(world.keys, LIFETIME_S)
  const { time, engine, core, net } = world
  const outcomes: string[] = []
  try {
    await engine.init({ ...world.options(), dcs: [{ id: 1, url: 'sim://dc1' }, { id: 2, url: 'sim://dc2' }], defaultDcId: 1 })
    await engine.onKeyEvent((e) => inv.onKeyEvent(e, time.now))
    engine.connect().catch(() => undefined)
    for (const f of plan.faults) time.setTimer('sim', f.at, () => void core.faults.apply(f.action))
    plan.calls.forEach((c, id) =>
      time.setTimer('sim', c.at, () => {
        const rec: CallRecord = { id, start: time.now, deadline: time.now + TIMEOUT_MS, settled: 0, outcome: 'pending' }
        const settle = (outcome: string): void => {
          rec.settled++
          rec.outcome = outcome
          outcomes[id] = outcome
          inv.onSettled(rec, time.now)
        }
        engine.invoke(c.request, { timeoutMs: TIMEOUT_MS, callId: `c${id}`, ...c.opts }).then(
          (bytes) => settle(c.right(bytes) ? 'ok' : 'wrong'),
          (err: unknown) => settle(err instanceof PfsError ? String(err.code) : 'untyped'),
        )
      }),
    )
    let opened = 0
    await time.runUntil(plan.durationMs, () => {
      const health = core.health()
      inv.afterStep(time.now, [], health.violations, health.expiredKeyPackets, 0)
      while (opened < net.stats.openTimes.length) inv.onSocketOpened(net.stats.openTimes, opened++)
    })
    const states = await engine.states()
    const stats = core.stats()
    inv.engineClosing(time.now)
    await engine.close()
    await time.settle()
    await time.runUntil(time.now + 60_000)
    inv.afterClose(time.now, net.openCount, time.pending('engine'))
    return { outcomes, violations: inv.violations, checks: inv.checks, states, stats, faults: core.faults.state() }
  } finally {
    world.dispose()
  }
}

const GET_STATE = serializeObject({ _: 'updates.getState' })
const isState = (b: Uint8Array): boolean => deserializeObject(b)._ === 'updates.state'
const PART = 32 * 1024
const FILE = Uint8Array.from({ length: 4 * PART }, (_, i) => (i * 7 + (i >> 10)) & 0xff)
const filePart = (n: number): Uint8Array => FILE.slice(n * PART, (n + 1) * PART)
const getFile = (n: number): Uint8Array =>
  serializeObject({ _: 'upload.getFile', location: { _: 'inputDocumentFileLocation', id: 77n, access_hash: 0n, file_reference: new Uint8Array(0), thumb_size: '' }, offset: BigInt(n * PART), limit: PART })
const isPart = (n: number) => (b: Uint8Array): boolean => {
  const r = deserializeObject(b)
  return r._ === 'upload.file' && Buffer.compare(Buffer.from(r.bytes), Buffer.from(filePart(n))) === 0
}

/** One perm key per DC on both sides, every temp key of a DC bound to that DC's. */
function onePermKeyPerDc(r: Awaited<ReturnType<typeof run>>): void {
  expect(r.stats.handshakes.perm).toEqual({ '1': 1, '2': 1 })
  const permOf = new Map(r.stats.keys.filter((k) => k.kind === 'perm').map((k) => [k.dc, k.id]))
  for (const k of r.stats.keys) if (k.kind === 'temp' && k.boundTo !== null) expect(k.boundTo).toBe(permOf.get(k.dc))
  for (const dc of [1, 2]) expect(new Set(r.states.filter((s) => s.dcId === dc).map((s) => s.permKeyId)).size).toBe(1)
}

describe('DC migration in virtual time (issue #16)', () => {
  it('PHONE_MIGRATE_2 at 5 s: that call succeeds on DC 2, home moves, every later call goes to DC 2 first; invariants hold', async () => {
    const calls = Array.from({ length: 60 }, (_, i) => ({ at: 1_000 + i * 500, request: GET_STATE, right: isState }))
    const r = await run(1601, { durationMs: 32_000, faults: [{ at: 5_000, action: { type: 'migrate', method: 'updates.getState', error: 'PHONE_MIGRATE', dc: 2 } }], calls })
    expect(r.violations).toEqual([])
    expect(r.checks).toBeGreaterThan(500)
    expect(r.outcomes.filter((o) => o !== 'ok')).toEqual([])
    expect(r.outcomes).toHaveLength(60)
    expect(r.faults.migrations[0]?.answered).toBe(1)
    expect(r.stats.apiCalls['auth.exportAuthorization']).toBeUndefined()
    // both DCs rotated their own temp keys under their own perm key
    expect(r.stats.handshakes.temp['2']).toBeGreaterThanOrEqual(2)
    onePermKeyPerDc(r)
  }, 120_000)

  it('FILE_MIGRATE_2 for a signed-in user: one export on DC 1, one import on DC 2, the parts byte-exact from DC 2 through rotations; invariants hold', async () => {
    const faults: Plan['faults'] = [
      { at: 0, action: { type: 'require-authorization', on: true } },
      { at: 2_000, action: { type: 'sign-in', dc: 1 } },
      { at: 4_000, action: { type: 'migrate', method: 'upload.getFile', error: 'FILE_MIGRATE', dc: 2 } },
    ]
    const saves = [0, 1, 2, 3].map((n) => ({
      at: 3_000,
      request: serializeObject({ _: 'upload.saveFilePart', file_id: 77n, file_part: n, bytes: filePart(n) }),
      opts: { pool: 'upload' } as const,
      right: (b: Uint8Array) => deserializeObject(b)._ === 'boolTrue',
    }))
    // the first part alone, then every part again each 2 s while DC 2's keys rotate
    const reads = [{ at: 5_000, n: 0 }, ...Array.from({ length: 40 }, (_, i) => ({ at: 7_000 + Math.floor(i / 4) * 2_000, n: i % 4 }))]
    const calls = [...saves, ...reads.map(({ at, n }) => ({ at, request: getFile(n), opts: { pool: 'download' } as const, right: isPart(n) }))]
    const r = await run(1602, { durationMs: 30_000, faults, calls })
    expect(r.violations).toEqual([])
    expect(r.checks).toBeGreaterThan(500)
    expect(r.outcomes.filter((o) => o !== 'ok')).toEqual([])
    expect(r.outcomes).toHaveLength(calls.length)
    expect(r.faults.migrations[0]?.answered).toBe(1)
    expect(r.stats.apiCalls['auth.exportAuthorization']).toBe(1)
    expect(r.stats.apiCalls['auth.importAuthorization']).toBe(1)
    expect(r.states.filter((s) => s.dcId === 2).map((s) => s.connection ?? 'main').sort()).toEqual(['download-0', 'download-1', 'main'])
    expect(r.stats.handshakes.temp['2']).toBeGreaterThanOrEqual(4)
    onePermKeyPerDc(r)
  }, 120_000)
})
