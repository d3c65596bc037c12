/**
 * One DC. Temp key decisions come from policy/pfs/temp-key-policy (through TempKeyDriver),
 * call decisions from policy/session/outbox (through CallDriver); the parts below perform
 * them with the EngineEnv.
 */
import { serializeObject, type InflateBudget } from '@pfs-web/tl/client'
import type { DcStateView, KeyEvent } from '../../api.ts'
import type { EngineEnv } from '../../env.ts'
import { EngineError } from '../../errors.ts'
import type { HandshakeMode } from '../../handshake/handshake.ts'
import type { Handshaken } from '../../handshake/run-handshake.ts'
import type { RsaKey } from '../../handshake/rsa-keys.ts'
import type { KeyHandle, KeyStore } from '../../keys/key-store.ts'
import type { BindPhase } from '../../policy/pfs/gate.ts'
import type { TempKeyAction } from '../../policy/pfs/key-slots.ts'
import { gatePhase } from '../../policy/pfs/temp-key-policy.ts'
import type { ClockEvent, ServerClock } from '../../policy/session/msg-id.ts'
import type { StallConfig } from '../../policy/session/stall-watch.ts'
import type { Connection, ConnectionPurpose } from '../transport/connection.ts'
import { CallDriver, type CallHost } from './calls.ts'
import { connectionStatus } from './connection-status.ts'
import { DcHandshakes } from './dc-handshake.ts'
import type { DcHooks } from './dc-hooks.ts'
import { DcTimers } from './dc-timers.ts'
import { dcStateView } from './dc-view.ts'
import { DcTraffic } from './dc-traffic.ts'
import { dispatch, onKeyNotFound } from './dispatch.ts'
import { wrapInInitConnection } from './init-connection-wrap.ts'
import { KeyLanes } from './key-lanes.ts'
import { Lane } from './lane.ts'
import { LaneKeeper, type LaneKeeperHost } from './lane-keeper.ts'
import { DcReport } from './dc-report.ts'
import type { ResolvedOptions } from './options.ts'
import { PermKeyKeeper } from './perm-key-keeper.ts'
import { ServerClockKeeper } from './server-clock.ts'
import { ServiceRequests } from './service-requests.ts'
import { TempKeyDriver } from './temp-key-driver.ts'
import { timerDelay } from './timer-delay.ts'
import { onLaneDownForTime } from './time-sync.ts'
import type { LaneRole } from '../../policy/session/keepalive.ts'
import type { LifecycleAction } from '../../policy/session/lifecycle.ts'

type SwitchTraffic = Extract<TempKeyAction, { type: 'switch-traffic' }>

/**
 * A pool connection of a DC (issue #15): its own temp key, lanes, calls and temp-key policy
 * state, under the DC's one perm key, which the main connection keeps.
 */
export interface PoolLink {
  /** e.g. 'upload-1': DcStateView.connection. */
  readonly name: string
  readonly main: DcRuntime
  /** A media-only DC: its temp keys carry a negative dc (auth-key.md, dc). */
  readonly media: boolean
}

/**
 * Composes one DC from single-writer parts and performs what they ask of each other. The
 * parts: KeyLanes (lanes, traffic), TempKeyDriver (temp-key policy state), PermKeyKeeper
 * (perm key), ServerClockKeeper (server clock), CallDriver and ServiceRequests (calls),
 * DcTraffic (who waits for a bound key), DcReport (status, errors, counters), LaneKeeper,
 * DcTimers and DcHandshakes. This class holds no state of its own but whether it stopped.
 */
export class DcRuntime implements LaneKeeperHost, CallHost {
  /** Status, last errors and counters: the page's view of this DC besides the keys. */
  readonly report: DcReport
  readonly #keyLanes: KeyLanes
  readonly #serverClock: ServerClockKeeper
  readonly calls: CallDriver
  readonly service: ServiceRequests
  readonly tempKeys: TempKeyDriver
  readonly #permKeeper: PermKeyKeeper
  readonly #handshakes: DcHandshakes
  readonly #traffic: DcTraffic
  readonly #timers: DcTimers
  readonly #keeper: LaneKeeper
  #stopped: 'closed' | 'logged-out' | null = null
  /** `dc` in p_q_inner_data and the obfuscation init: negative on a media-only DC. */
  readonly wireDcId: number
  /** The pool connections this main connection shares its perm key with; they stop with it. */
  readonly #pools: DcRuntime[] = []
  #lastCallAt: number | null = null

  constructor(
    readonly env: EngineEnv,
    readonly keys: KeyStore,
    readonly dcId: number,
    readonly url: string,
    readonly options: ResolvedOptions,
    rsaKeys: readonly RsaKey[],
    readonly hooks: DcHooks,
    readonly link: PoolLink | null = null,
  ) {
    const wireDcId = (this.wireDcId = link?.media ? -options.wireDcId(dcId) : options.wireDcId(dcId))
    this.report = new DcReport(() => hooks.changed())
    const keeper = (this.#keeper = new LaneKeeper(this, {
      message: (lane, msg) => dispatch(this, lane, msg),
      keyNotFound: (lane) => onKeyNotFound(this, lane),
      down: (error) => onLaneDownForTime(this, error),
      msgIdInUse: (lane, msgId) => this.#keyLanes.msgIdInUse(lane, msgId),
    }))
    this.#keyLanes = new KeyLanes(keys, (key, salt, purpose, conn) => new Lane(env, keys, key, url, wireDcId, purpose, keeper, salt, conn))
    this.#serverClock = new ServerClockKeeper(env.clock)
    this.#timers = new DcTimers(env, () => this.noticeSleep())
    this.#handshakes = new DcHandshakes(this, rsaKeys)
    // A pool connection's perm key is its main connection's: one per DC (pfs §1.1).
    this.#permKeeper = link ? link.main.#permKeeper : new PermKeyKeeper(this)
    if (link) link.main.#pools.push(this)
    this.calls = new CallDriver(this)
    this.service = new ServiceRequests(env)
    this.tempKeys = new TempKeyDriver(this)
    this.#traffic = new DcTraffic({
      dcId,
      report: this.report,
      stopped: () => this.#stopped,
      boundKeyId: () => (this.lane !== null && this.phase === 'bound' ? this.lane.key.idHex : null),
      start: () => void this.permKey().catch((err: unknown) => this.setError(err)),
      stepTempKeys: (event) => this.tempKeys.step(event),
      switchLane: (keyId) => this.#keyLanes.switchTo(keyId)?.key ?? null,
      keyEvent: (kind, key, detail) => this.hooks.keyEvent(this.event(kind, key, detail)),
      resume: () => keeper.keepAlive(),
      flushCalls: () => this.calls.flush(),
    })
  }

  // ---- state others read ----------------------------------------------------------------

  get perm(): KeyHandle | null {
    return this.#permKeeper.key
  }
  /** Every temp key this DC holds, by key id hex: traffic, next and retiring. */
  get lanes(): ReadonlyMap<string, Lane> {
    return this.#keyLanes.all
  }
  /** The lane new calls go out on (bound), or null while there is none. */
  get lane(): Lane | null {
    return this.#keyLanes.traffic
  }
  /** The gate's phase, read from the temp-key policy's state (policy/pfs/temp-key-policy gatePhase). */
  get phase(): BindPhase {
    return this.#stopped ? 'unbound' : gatePhase(this.tempKeys.state)
  }
  get clock(): ServerClock {
    return this.#serverClock.state
  }
  get isStopped(): boolean {
    return this.#stopped !== null
  }
  get signal(): AbortSignal {
    return this.#timers.signal
  }
  get inflateBudget(): InflateBudget {
    return this.options.inflate
  }
  get stallConfig(): StallConfig {
    return this.options.stall
  }
  get nextRotationAt(): number | null {
    return this.tempKeys.renewAt
  }
  get role(): LaneRole {
    return this.link ? 'pool' : 'main'
  }
  get lastCallAt(): number | null {
    return this.#lastCallAt
  }
  get online(): boolean {
    return this.options.net?.online ?? true
  }

  now(): number {
    return this.env.clock.now()
  }
  serverNowS(): number {
    return this.#serverClock.serverNowS()
  }
  trafficLane(): Lane | null {
    return this.#keyLanes.traffic
  }
  bindPhase(): BindPhase {
    return this.phase
  }
  /** True when the server clock moved (ServerClockKeeper is its one writer). */
  clockEvent(event: ClockEvent, at?: number): boolean {
    return this.#serverClock.step(event, at)
  }
  setTimer(ms: number, fn: () => void): () => void {
    return this.env.setTimer(timerDelay(ms), fn)
  }
  wrapInit(query: Uint8Array): Uint8Array {
    return wrapInInitConnection(this.options.app, this.options.layer, query)
  }
  view(): DcStateView {
    const v = dcStateView(this)
    if (this.link) v.connection = this.link.name
    return v
  }

  /** A call is about to go out here: a sleep is noticed, a parked lane reopens (policy/session/keepalive). */
  use(): void {
    this.#lastCallAt = this.now()
    this.noticeSleep()
    this.#keeper.wake()
  }

  // ---- what dispatch and the calls report ---------------------------------------------------

  /** Reported on the main connection only: pool sessions carry no updates (api.ts KeyEventKind 'update-gap'). */
  updateGap(lane: Lane, reason: string): void {
    if (!this.link) this.hooks.keyEvent(this.event('update-gap', lane.key, reason))
  }

  /** 401 AUTH_KEY_PERM_EMPTY: pfs §3 treats it like a lost key — new temp key, bind, resend. */
  onNotBound(lane: Lane): void {
    this.tempKeys.step({ type: 'transport-404', keyId: lane.key.idHex })
  }

  onDrained(keyId: string): void {
    this.tempKeys.step({ type: 'in-flight-drained', keyId })
  }

  // ---- connect, keys, rotation --------------------------------------------------------------

  connect(): Promise<void> {
    return this.#traffic.connect()
  }

  rotate(): Promise<void> {
    return this.#traffic.rotate()
  }

  /** The DC's perm key: loaded from storage, else made once by a perm handshake. */
  permKey(): Promise<KeyHandle> {
    return this.#permKeeper.get()
  }

  /** The perm key could not be made (edge/dc/perm-key-keeper): connect() waiters fail. */
  permFailed(err: Error): void {
    this.#traffic.failConnect(err)
    for (const p of this.#pools) p.#traffic.failConnect(err)
  }

  /** Seconds since this client made the perm key; null for a stored one (age unknown). */
  permAgeS(): number | null {
    return this.#permKeeper.ageS()
  }

  runHandshake(mode: HandshakeMode, purpose: ConnectionPurpose, backgroundUntil: number | null = null): Promise<Handshaken> {
    return this.#handshakes.run(mode, purpose, backgroundUntil)
  }

  addLane(key: KeyHandle, serverSalt: bigint, conn: Connection): Lane {
    return this.#keyLanes.add(key, serverSalt, conn)
  }

  switchTraffic(a: SwitchTraffic): void {
    this.#traffic.switched(a)
  }

  bindReported(code: string | number): void {
    this.#traffic.bindReported(code, this.lane !== null)
  }

  /** Zeroes and forgets a temp key and closes its lane. */
  dropLane(keyId: string, reason: Error): void {
    const lane = this.#keyLanes.drop(keyId)
    if (!lane) return
    this.#timers.cancel(`reconnect-${keyId}`)
    this.service.failLane(lane, reason)
    this.hooks.keyEvent(this.event('dropped', lane.key))
    this.calls.step({ type: 'key-lost', keyId })
    this.hooks.changed()
  }

  /** Asks the temp-key policy for a new key now (time-sync: a clock only a handshake settles). */
  requestRotation(): void {
    this.tempKeys.step({ type: 'rotate-now' })
  }

  // ---- perm key loss, logout, close ---------------------------------------------------------

  /** The policy proved the perm key dead (pfs §2): it and every temp key go; logged out. */
  permKeyDead(): Promise<void> {
    if (this.link) return this.link.main.permKeyDead()
    return this.#loggedOut(new EngineError('LOGGED_OUT', `DC ${this.dcId}: perm key rejected by the server`))
  }

  /** auth.logOut, then every key of the DC is dropped, the perm key in storage too. */
  async logout(timeoutMs: number): Promise<void> {
    if (this.#stopped === 'logged-out') return
    try {
      await this.connect()
      await this.calls.invoke(serializeObject({ _: 'auth.logOut' }), 'auth.logOut', timeoutMs)
    } catch (err) {
      // Logging out must not depend on the server: the keys go regardless.
      this.setError(err)
    }
    await this.#loggedOut(new EngineError('LOGGED_OUT', `DC ${this.dcId} logged out`))
  }

  async #loggedOut(reason: EngineError): Promise<void> {
    this.#stop('logged-out', reason)
    const perm = await this.#permKeeper.drop()
    this.hooks.keyEvent(this.event('logged-out', perm))
  }

  close(): void {
    this.#stop('closed', new EngineError('CLOSED', 'engine closed'))
  }

  #stop(how: 'closed' | 'logged-out', reason: EngineError): void {
    if (this.#stopped === 'closed') return
    this.#stopped = how
    for (const p of this.#pools) p.#stop(how, reason)
    this.#timers.stop()
    for (const id of [...this.lanes.keys()]) this.dropLane(id, reason)
    this.#keyLanes.switchTo(null)
    this.#traffic.stop(reason)
    this.calls.failAll(reason)
    this.calls.dispose()
    this.report.setStatus(how, null)
  }

  // ---- status, errors, counters, time -------------------------------------------------------

  /** Derives the status shown to the page from the lanes and the policy's next slot. */
  refreshStatus(): void {
    if (this.#stopped) return
    const lane = this.lane
    const { status, waitReason } = connectionStatus({
      traffic: lane ? { up: lane.isUp, parked: this.#keeper.isParked(lane) } : null,
      phase: this.phase,
      next: this.tempKeys.state.next,
      permLoading: this.#permKeeper.isLoading,
      started: this.#traffic.hasStarted,
    })
    this.report.setStatus(status, waitReason)
  }

  count(what: 'perm' | 'temp' | 'binds'): void {
    this.report.count(what)
  }

  event(kind: KeyEvent['kind'], key: KeyHandle | null, detail?: string): KeyEvent {
    const e: KeyEvent = { dcId: this.dcId, ...(this.link && { connection: this.link.name }), kind, keyId: key?.idHex ?? null, keyKind: key?.kind ?? 'temp', at: Math.floor(this.serverNowS()) }
    if (detail !== undefined) e.detail = detail
    return e
  }

  setError(err: unknown): void {
    this.report.setError(err)
  }

  /**
   * Before a call is sent and when a timer fires: a sleep the monotonic clock did not see
   * moves the server clock on, and the temp-key policy looks again, so a key that expired
   * meanwhile is replaced before anything is sent under it (issue #11).
   */
  noticeSleep(): void {
    if (this.#stopped) return
    if (!this.#serverClock.noticeSleep()) return
    this.tempKeys.step({ type: 'tick' })
    this.hooks.slept?.()
  }

  /** Performs policy/session/lifecycle's action on this connection (edge/dc/lifecycle-driver). */
  lifecycle(action: LifecycleAction): void {
    if (this.#stopped) return
    if (action === 'reconnect') {
      this.tempKeys.step({ type: 'network-back' })
      return this.#keeper.reconnect()
    }
    // check: a key that expired meanwhile is replaced before the probe, and before any call
    this.noticeSleep()
    this.tempKeys.step({ type: 'tick' })
    this.#keeper.probe()
  }

  /** Arms the named timer (replacing it): bounded, rate-limited, none once the DC stopped. */
  later(name: string, ms: number, fn: () => void, keepEarlier?: boolean): void {
    this.#timers.later(name, ms, fn, keepEarlier)
  }

  /** Waits `ms`; rejects CLOSED at once when the DC stops, so no timer outlives close(). */
  sleep(ms: number): Promise<void> {
    return this.#timers.sleep(ms)
  }

  rand(): number {
    return new DataView(this.env.random(4).buffer).getUint32(0, true) / 2 ** 32
  }
}
