/**
 * Runs one seed: draws its scenario, builds the world, drives the workload and the fault
 * plan on virtual time, checks the invariants after every step, closes the engine and
 * checks that nothing is left behind. The report carries the trace hash, so two runs of a
 * seed can be compared, and on a failure the trace's tail and a replay command.
 */
import { PfsError } from '@pfs-web/errors'
import { deserializeObject, serializeObject } from '@pfs-web/tl'
import type { KeyEvent, PoolName } from '../api.ts'
import { Invariants, type CallRecord } from './invariants.ts'
import { BIND_ERRORS, drawScenario, type FaultKind, type PlannedFault, type Scenario, type ScenarioLimits } from './scenario.ts'
import { SeededRandom } from './seeded-random.ts'
import { SIM_DC, World } from './world.ts'

export interface SeedReport {
  seed: number
  lifetimeS: readonly [number, number]
  bindingMode: Scenario['bindingMode']
  simulatedMs: number
  /** Simulated time over the mean lifetime: how many key lifetimes the run spanned. */
  lifetimes: number
  tempKeys: number
  /** bad_server_salt answers the server sent (salt faults, and new keys' first messages). */
  badServerSalts: number
  calls: { total: number; ok: number; failed: Record<string, number> }
  faults: Partial<Record<FaultKind, number>>
  checks: number
  violations: string[]
  traceHash: string
  traceTail: string[]
  /** Virtual ms of every socket the engine opened, and every key event: for targeted tests. */
  socketOpenTimes: number[]
  keyEvents: { t: number; kind: KeyEvent['kind']; detail: string; connection: string }[]
  /** Every call: start, settle time and outcome ('ok', an error code, 'never settled'). */
  callLog: { start: number; end: number; outcome: string }[]
  /** Packets the server ran API calls from: how many, how many carried several, the most in one (issue #17). */
  packets: { withCalls: number; batched: number; maxCalls: number }
  /** Perm and temp keys the server made: a handshake's socket each (issue #17). */
  handshakes: number
  /** Times a temp key's traffic moved to a new socket, each after its old one was gone (issue #17). */
  keySocketMoves: number
  wallMs: number
}

/**
 * Issue #17: this share of the workload's calls brings a burst of BURST_SIZE saveFilePart
 * calls issued in the same turn (parts 0, 1, 2… of one file, so the server can tell their
 * order), which must travel batched and run in the order issued.
 */
const BURST_SHARE = 0.2
const BURST_SIZE: readonly [number, number] = [2, 12]

/** With Scenario.pools, getConfig calls take these pools in turn. */
const CONFIG_POOLS: readonly PoolName[] = ['main', 'download', 'media']

export const DEFAULT_LIMITS: ScenarioLimits = { lifetimes: 72, faultsPerLifetime: 0.3, maxCalls: 150 }

export function replayCommand(seed: number, limits: ScenarioLimits): string {
  return `pnpm sim --seed ${seed} --lifetimes ${limits.lifetimes} --faults ${limits.faultsPerLifetime} --calls ${limits.maxCalls} --trace`
}

export async function runSeed(seed: number, limits: ScenarioLimits = DEFAULT_LIMITS, scenarioOverride?: Partial<Scenario>): Promise<SeedReport> {
  const wall0 = performance.now()
  const root = new SeededRandom(seed)
  const scenario: Scenario = { ...drawScenario(seed, root, limits), ...scenarioOverride }
  const packets = { withCalls: 0, batched: 0, maxCalls: 0 }
  const world = new World({
    seed,
    tempKeyLifetimeS: scenario.lifetimeS,
    latencyMs: scenario.latencyMs,
    jitterMs: scenario.jitterMs,
    onPacketCalls: (calls) => {
      packets.withCalls++
      if (calls.length > 1) packets.batched++
      packets.maxCalls = Math.max(packets.maxCalls, calls.length)
      // the server handles no packet before the engine connects, after `inv` exists
      inv.onServerPacket(world.time.now, calls)
    },
    onKeyConnection: (use) => inv.onKeyConnection(world.time.now, use, (id) => world.net.socketEnd(id)),
  })
  const { time, engine, trace, core, net } = world
  const inv = new Invariants(world.keys, scenario.lifetimeS[0])
  const calls = new Map<number, CallRecord>()
  const report: SeedReport = {
    seed,
    lifetimeS: scenario.lifetimeS,
    bindingMode: scenario.bindingMode,
    simulatedMs: scenario.durationMs,
    lifetimes: scenario.durationMs / 1000 / ((scenario.lifetimeS[0] + scenario.lifetimeS[1]) / 2),
    tempKeys: 0,
    badServerSalts: 0,
    calls: { total: 0, ok: 0, failed: {} },
    faults: {},
    checks: 0,
    violations: [],
    traceHash: '',
    traceTail: [],
    socketOpenTimes: [],
    keyEvents: [],
    callLog: [],
    packets,
    handshakes: 0,
    keySocketMoves: 0,
    wallMs: 0,
  }
  const workload = root.fork('workload')
  let loggedOut = false
  let lastExpired = 0
  let opened = 0

  try {
    await engine.init(world.options())
    await engine.onKeyEvent((e: KeyEvent) => {
      trace.add(`key ${e.kind} ${e.keyKind} ${e.keyId ?? '-'} ${e.detail ?? ''}${e.connection ? ` ${e.connection}` : ''}`)
      report.keyEvents.push({ t: time.now, kind: e.kind, detail: e.detail ?? '', connection: e.connection ?? 'main' })
      inv.onKeyEvent(e, time.now)
      if (e.kind === 'logged-out') loggedOut = true
      if (e.kind === 'rotated' && e.detail?.startsWith('replaces ') && e.keyId !== null) {
        const replaced = e.detail.slice(9)
        // a 'replace' server drops the old key as the successor binds: that is still make-before-break
        const bySuccessor = world.replacedBy.get(serverKeyId(replaced) ?? '') === serverKeyId(e.keyId)
        inv.onRotated(time.now, replaced, serverHolds(world, replaced) || bySuccessor)
      }
    })
    engine.connect().catch((err: unknown) => trace.add(`connect failed ${codeOf(err)}`))

    let callId = 0
    const call = (request: Uint8Array, timeoutMs: number, isRight: (bytes: Uint8Array) => boolean, pool: PoolName = 'main'): void => {
      const id = ++callId
      const rec: CallRecord = { id, start: time.now, deadline: time.now + timeoutMs, settled: 0, outcome: 'pending' }
      calls.set(id, rec)
      report.calls.total++
      engine.invoke(request, { timeoutMs, callId: `c${id}`, ...(pool !== 'main' && { pool }) }).then(
        (bytes) => settle(rec, isRight(bytes) ? 'ok' : 'wrong'),
        (err: unknown) => settle(rec, err instanceof PfsError ? String(err.code) : `untyped:${String(err)}`),
      )
    }
    // a fork of its own: the bursts leave the rest of the seed's draws as they were
    const bursts = root.fork('bursts')
    let burstNo = 0
    const startCall = (): void => {
      if (callId >= limits.maxCalls || loggedOut) return
      const configPool = scenario.pools ? CONFIG_POOLS[callId % CONFIG_POOLS.length] : 'main'
      call(serializeObject({ _: 'help.getConfig' }), workload.int(scenario.timeoutMs[0], scenario.timeoutMs[1]), isRightConfig, configPool)
      if (!bursts.chance(BURST_SHARE)) return
      const file = BigInt(++burstNo)
      const size = bursts.int(BURST_SIZE[0], BURST_SIZE[1])
      for (let part = 0; part < size && callId < limits.maxCalls; part++) {
        // 1 KiB parts: every part of a file but its last must be a size that divides 512 KiB (#16).
        const request = serializeObject({ _: 'upload.saveFilePart', file_id: file, file_part: part, bytes: new Uint8Array(1024).fill(part) })
        call(request, bursts.int(scenario.timeoutMs[0], scenario.timeoutMs[1]), isBoolTrue, scenario.pools ? 'upload' : 'main')
      }
    }
    const settle = (rec: CallRecord, outcome: string): void => {
      rec.settled++
      rec.outcome = outcome
      report.callLog.push({ start: rec.start, end: time.now, outcome })
      calls.delete(rec.id)
      if (outcome === 'ok') report.calls.ok++
      else report.calls.failed[outcome] = (report.calls.failed[outcome] ?? 0) + 1
      if (outcome !== 'ok') trace.add(`call ${rec.id} ${outcome}`)
      inv.onSettled(rec, time.now)
    }
    let planned = 0
    for (const phase of scenario.load) {
      if (phase.callsPerSecond <= 0) continue
      for (let t = phase.from; t < phase.to && planned < limits.maxCalls; planned++) {
        time.setTimer('sim', t, startCall)
        t += (-Math.log(1 - workload.unit()) / phase.callsPerSecond) * 1000
      }
    }
    for (const f of scenario.faults) {
      time.setTimer('sim', f.at, () => {
        if (applyFault(world, f, root)) {
          report.faults[f.kind] = (report.faults[f.kind] ?? 0) + 1
          inv.faultApplied(f, time.now)
          trace.add(`fault ${f.kind} ${f.durationMs} ${f.size}`)
        }
      })
    }

    for (const n of scenario.network ?? []) {
      time.setTimer('sim', n.at, () => {
        if (n.sleepS !== undefined) {
          world.sleepClient(n.sleepS * 1000)
          while (net.blackholeOne());
          // what a sleep does to the sockets and clocks excuses what those faults excuse, no more
          for (const kind of ['wall-jump', 'half-open'] as const) inv.faultApplied({ at: n.at, kind, durationMs: 0, size: n.sleepS }, time.now)
        }
        if (n.event === 'offline') net.cutAll()
        net.conditions = { ...net.conditions, refuse: n.event === 'offline' }
        trace.add(`network ${n.event} ${n.sleepS ?? 0}`)
        engine.lifecycle(n.event).catch((err: unknown) => trace.add(`lifecycle failed ${codeOf(err)}`))
      })
    }

    const check = (): void => {
      const health = core.health()
      inv.afterStep(time.now, calls.values(), health.violations, health.expiredKeyPackets, lastExpired)
      lastExpired = health.expiredKeyPackets
      while (opened < net.stats.openTimes.length) inv.onSocketOpened(net.stats.openTimes, opened++)
    }
    await time.runUntil(scenario.durationMs, check)
    const made = core.stats().handshakes
    report.tempKeys = Object.values(made.temp).reduce((a, b) => a + b, 0)
    report.handshakes = report.tempKeys + Object.values(made.perm).reduce((a, b) => a + b, 0)
    report.badServerSalts = core.stats().badMsgNotifications['48'] ?? 0

    inv.engineClosing(time.now)
    await engine.close()
    await time.settle()
    inv.afterClose(time.now, net.openCount, time.pending('engine'))
    await time.runUntil(time.now + 60_000)
    inv.afterClose(time.now, net.openCount, time.pending('engine'))
    for (const c of calls.values()) {
      inv.onSettled({ ...c, outcome: 'never settled' }, time.now)
      report.callLog.push({ start: c.start, end: time.now, outcome: 'never settled' })
    }
    report.socketOpenTimes = [...net.stats.openTimes]
  } finally {
    world.dispose()
  }
  report.checks = inv.checks
  report.keySocketMoves = inv.keySocketMoves
  report.violations = inv.violations
  report.traceHash = trace.digest()
  report.traceTail = trace.lines.slice(-60)
  report.wallMs = performance.now() - wall0
  return report
}

function isRightConfig(bytes: Uint8Array): boolean {
  const obj = deserializeObject(bytes)
  return obj._ === 'config' && obj.this_dc === SIM_DC
}

function isBoolTrue(bytes: Uint8Array): boolean {
  return deserializeObject(bytes)._ === 'boolTrue'
}

function codeOf(err: unknown): string {
  return err instanceof PfsError ? String(err.code) : String(err)
}

/** The server's id (decimal auth_key_id) of the engine's key id hex; null for a malformed one. */
function serverKeyId(idHex: string): string | null {
  const bytes = new Uint8Array(idHex.match(/../g)?.map((h) => parseInt(h, 16)) ?? [])
  return bytes.length === 8 ? new DataView(bytes.buffer).getBigInt64(0, true).toString() : null
}

/** Whether the server still holds temp key `idHex` (engine hex of auth_key_id) unexpired. */
function serverHolds(world: World, idHex: string): boolean {
  const id = serverKeyId(idHex)
  if (id === null) return false
  const now = world.serverNowS() + world.core.faults.state().clockOffsetSeconds
  return world.core.stats().keys.some((k) => k.id === id && k.kind === 'temp' && (k.expiresAt ?? 0) > now)
}

/** Applies one planned fault; false when it found nothing to act on. */
function applyFault(world: World, f: PlannedFault, root: SeededRandom): boolean {
  const faults = world.core.faults
  const revert = (action: () => void): void => void world.time.setTimer('sim', f.durationMs, action)
  switch (f.kind) {
    case 'forget-temp-key':
      void faults.apply({ type: 'forget-temp-key' })
      return true
    case 'forget-during-rotation': {
      // the next temp key the client makes is forgotten just after its handshake: a -404 mid-bind
      const temp = world.core.stats().keys.filter((k) => k.kind === 'temp').pop()
      if (temp === undefined) return false
      void faults.apply({ type: 'forget-temp-key', keyId: temp.id })
      return true
    }
    case 'early-sweep':
      void faults.apply({ type: 'forget-temp-key', afterSeconds: f.size })
      return true
    case 'storm-404':
      void faults.apply({ type: 'storm-404', seconds: f.durationMs / 1000 })
      return true
    case 'flood-429':
      void faults.apply({ type: 'flood-429', seconds: f.durationMs / 1000 })
      return true
    case 'restart':
      void faults.apply({ type: 'restart' })
      return true
    case 'bind-error':
      void faults.apply({ type: 'bind-error', error: BIND_ERRORS[f.size] ?? 'INTERNAL', code: f.size === 4 ? 500 : 400 })
      return true
    case 'drop-connection':
      void faults.apply({ type: 'drop-connection', after: root.fork(`drop${f.at}`).pick(['req_pq_multi', 'req_DH_params', 'set_client_DH_params', 'bind'] as const) })
      return true
    case 'cut-link':
      return world.net.cutOne()
    case 'half-open':
      return world.net.blackholeOne()
    case 'latency': {
      const before = world.net.conditions
      world.net.conditions = { ...before, latencyMs: f.size }
      revert(() => (world.net.conditions = { ...world.net.conditions, latencyMs: before.latencyMs }))
      return true
    }
    case 'refuse':
      world.net.conditions = { ...world.net.conditions, refuse: true }
      revert(() => (world.net.conditions = { ...world.net.conditions, refuse: false }))
      return true
    case 'clock-skew':
      void faults.apply({ type: 'clock-offset', seconds: f.size })
      revert(() => void faults.apply({ type: 'clock-offset', seconds: 0 }))
      return true
    case 'wall-jump':
      world.sleepClient(f.size * 1000)
      return true
    case 'wall-skew':
      world.skewWall(f.size * 1000)
      return true
    case 'revoke-perm-key':
      void faults.apply({ type: 'forget-perm-key' })
      return true
    case 'salt':
      void faults.apply({ type: 'salt', afterSeconds: f.size })
      return true
  }
}
