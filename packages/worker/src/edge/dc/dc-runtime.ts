/**
 * One DC: its perm key, the temp key lanes, the PFS gate phase, reconnects and the state
 * view. Temp key lifecycle decisions come from pfs/temp-key-policy (through dc/temp-key-driver),
 * call decisions from session/outbox (through CallDriver); this class performs them with
 * the EngineEnv.
 */
import { TransportError } from '@pfs-web/errors'
import { yieldToEventLoop } from '@pfs-web/crypto'
import { serializeObject, type InflateBudget } from '@pfs-web/tl'
import type { ConnectionStatus, DcStateView, ErrorView, KeyEvent, Last404View } from '../../api.ts'
import type { EngineEnv } from '../../env.ts'
import { EngineError } from '../../errors.ts'
import type { HandshakeMode, HandshakeResult } from '../../handshake/handshake.ts'
import { runHandshake } from '../../handshake/run-handshake.ts'
import type { RsaKey } from '../../handshake/rsa-keys.ts'
import type { KeyHandle, KeyStore } from '../../keys/key-store.ts'
import { reconnectDelayMs } from '../../policy/pfs/retry-policy.ts'
import type { TempKeyAction } from '../../policy/pfs/key-slots.ts'
import { gatePhase } from '../../policy/pfs/temp-key-policy.ts'
import { classify404, LOSS_CAUSE } from '../../policy/pfs/recovery.ts'
import { nextMsgId, serverNow, stepClock, type ClockEvent, type ServerClock } from '../../policy/session/msg-id.ts'
import type { StallConfig } from '../../policy/session/stall-watch.ts'
import { lookAtWall, startWallWatch, type WallWatch } from '../../policy/session/wall-watch.ts'
import type { ConnectionPurpose } from '../transport/connection.ts'
import { CallDriver, type CallHost } from './calls.ts'
import type { DcHooks } from './dc-hooks.ts'
import { connectionStatus } from './connection-status.ts'
import { dcStateView, errorView } from './dc-view.ts'
import { dispatch } from './dispatch.ts'
import type { BindPhase } from '../../policy/pfs/gate.ts'
import { wrapInInitConnection } from './init-connection-wrap.ts'
import { Lane, type LaneOwner, type Received } from './lane.ts'
import { randomLong } from './mt-session.ts'
import type { ResolvedOptions } from './options.ts'
import { ServiceRequests } from './service-requests.ts'
import { TempKeyDriver } from './temp-key-driver.ts'
import { onLaneDownForTime } from './time-sync.ts'
import { DcTimers } from './dc-timers.ts'
import { PermKeyKeeper } from './perm-key-keeper.ts'
import { timerDelay } from './timer-delay.ts'

interface Waiter {
  resolve(): void
  reject(err: Error): void
}

type SwitchTraffic = Extract<TempKeyAction, { type: 'switch-traffic' }>
type DcCounters = Record<'perm' | 'temp' | 'binds' | 'rotations' | 'rebinds', number>

const HANDSHAKE_TIMEOUT_MS = 30_000
const PING_INTERVAL_MS = 60_000
const PING_DISCONNECT_DELAY_S = 75
const BACKGROUND_PAUSE_MS = 8

export class DcRuntime implements LaneOwner, CallHost {
  private statusNow: ConnectionStatus = 'idle'
  private waitReasonNow: string | null = null
  private trafficLaneNow: Lane | null = null
  /** Every temp key this DC holds, by key id hex: traffic, next and retiring. */
  readonly lanes = new Map<string, Lane>()
  private serverClock: ServerClock
  readonly calls: CallDriver
  readonly service: ServiceRequests
  readonly tempKeys: TempKeyDriver
  private readonly counted: DcCounters = { perm: 0, temp: 0, binds: 0, rotations: 0, rebinds: 0 }
  private last404Seen: Last404View | null = null
  private lastErrorSeen: ErrorView | null = null
  private readonly permKeeper: PermKeyKeeper
  private started = false
  private connectWaiters: Waiter[] = []
  private rotateWaiters: (Waiter & { from: string })[] = []
  private plainMsgId = 0n
  private readonly timers: DcTimers
  private stopped: 'closed' | 'logged-out' | null = null
  private wallWatch: WallWatch

  constructor(
    readonly env: EngineEnv,
    readonly keys: KeyStore,
    readonly dcId: number,
    readonly url: string,
    readonly options: ResolvedOptions,
    private readonly rsaKeys: readonly RsaKey[],
    readonly hooks: DcHooks,
  ) {
    this.serverClock = { sync: 'unsynced', offsetS: (env.clock.wallNow() - env.clock.now()) / 1000 }
    this.wallWatch = startWallWatch(env.clock.wallNow(), env.clock.now())
    this.timers = new DcTimers(env, () => this.noticeSleep())
    this.permKeeper = new PermKeyKeeper(this)
    this.calls = new CallDriver(this)
    this.service = new ServiceRequests(env)
    this.tempKeys = new TempKeyDriver(this)
  }

  // ---- state others read (this class is its one writer) ---------------------------------

  get status(): ConnectionStatus {
    return this.statusNow
  }
  get waitReason(): string | null {
    return this.waitReasonNow
  }
  get perm(): KeyHandle | null {
    return this.permKeeper.key
  }
  /** The lane new calls go out on (bound), or null while there is none. */
  get lane(): Lane | null {
    return this.trafficLaneNow
  }
  get last404(): Last404View | null {
    return this.last404Seen
  }
  get lastError(): ErrorView | null {
    return this.lastErrorSeen
  }

  // ---- LaneOwner / CallHost -------------------------------------------------------------

  now(): number {
    return this.env.clock.now()
  }
  setTimer(ms: number, fn: () => void): () => void {
    return this.env.setTimer(timerDelay(ms), fn)
  }
  serverNowS(): number {
    return serverNow(this.serverClock, this.now())
  }
  trafficLane(): Lane | null {
    return this.trafficLaneNow
  }
  bindPhase(): BindPhase {
    return this.phase
  }
  /** The gate's phase, read from the temp-key policy's state (pfs/temp-key-policy gatePhase). */
  get phase(): BindPhase {
    return this.stopped ? 'unbound' : gatePhase(this.tempKeys.state)
  }
  get clock(): ServerClock {
    return this.serverClock
  }
  /** The server clock's one writer (session/msg-id stepClock); true when the clock moved. */
  clockEvent(event: ClockEvent, at: number = this.now()): boolean {
    const before = this.serverClock
    this.serverClock = stepClock(before, event, at)
    return this.serverClock !== before
  }
  get isStopped(): boolean {
    return this.stopped !== null
  }
  get inflateBudget(): InflateBudget {
    return this.options.inflate
  }

  wrapInit(query: Uint8Array): Uint8Array {
    return wrapInInitConnection(this.options.app, this.options.layer, query)
  }

  onMessage(lane: Lane, msg: Received): void {
    dispatch(this, lane, msg)
  }

  onTransportError(lane: Lane, code: number): void {
    if (code === -404) {
      this.last404Seen = { at: Math.floor(this.serverNowS()), cause: LOSS_CAUSE[classify404(this.tempKeys.state, lane.key.idHex).case] }
      this.hooks.keyEvent(this.event('not-found-404', lane.key))
      this.setError(new TransportError(-404, 'temp key not found'))
      this.tempKeys.step({ type: 'transport-404', keyId: lane.key.idHex })
      return
    }
    lane.conn?.close(new TransportError(code, `transport error ${code}`))
  }

  /** The lane's connection dropped or carried a bad packet: requeue, reconnect with backoff. */
  onDown(lane: Lane, error: Error): void {
    this.setError(error)
    if (this.stopped || !this.lanes.has(lane.key.idHex)) return
    this.service.failLane(lane, error)
    this.calls.step({ type: 'session-lost', sessionId: lane.session.sessionId })
    lane.reconnects++
    const delay = reconnectDelayMs(lane.reconnects, () => this.rand())
    this.refreshStatus()
    this.later(`reconnect-${lane.key.idHex}`, delay, () => void this.reopen(lane))
    onLaneDownForTime(this, error)
  }

  onSaltRefresh(lane: Lane, num: number): void {
    lane.send([{ kind: 'get-future-salts', body: serializeObject({ _: 'get_future_salts', num }) }]).catch(() => undefined)
  }

  scheduleAckFlush(lane: Lane, atMs: number): void {
    this.later(`ack-${lane.key.idHex}`, Math.max(0, atMs - this.now()), () => lane.ackEvent({ type: 'tick' }))
  }

  get stallConfig(): StallConfig {
    return this.options.stall
  }

  owesAnswers(lane: Lane): boolean {
    return this.calls.anyInFlightOn(lane.key.idHex) || this.service.pendingOn(lane)
  }

  msgIdInUse(lane: Lane, msgId: bigint): boolean {
    for (const other of this.lanes.values()) if (other !== lane && other.session.sentRecently(msgId)) return true
    return false
  }

  scheduleStallCheck(lane: Lane, atMs: number): void {
    this.later(`stall-${lane.key.idHex}`, Math.max(0, atMs - this.now()), () => {
      if (this.lanes.get(lane.key.idHex) === lane) lane.stallEvent({ type: 'tick', owed: this.owesAnswers(lane) })
    })
  }

  /** 401 AUTH_KEY_PERM_EMPTY: pfs §3 treats it like a lost key — new temp key, bind, resend. */
  onNotBound(lane: Lane): void {
    this.tempKeys.step({ type: 'transport-404', keyId: lane.key.idHex })
  }

  onDrained(keyId: string): void {
    this.tempKeys.step({ type: 'in-flight-drained', keyId })
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /** Resolves once a bound temp key carries traffic; rejects when binding failed for good. */
  connect(): Promise<void> {
    if (this.stopped === 'closed') return Promise.reject(new EngineError('CLOSED', 'engine closed'))
    if (this.stopped === 'logged-out') return Promise.reject(new EngineError('LOGGED_OUT', `DC ${this.dcId} logged out`))
    if (this.trafficLaneNow && this.phase === 'bound') return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.connectWaiters.push({ resolve, reject })
      if (!this.started) {
        this.started = true
        // pfs §1.1: the perm handshake (if no key is stored) runs in parallel with the temp one.
        this.permKey().catch((err: unknown) => this.setError(err))
      }
      this.tempKeys.step({ type: 'connect' })
    })
  }

  /** The DC's perm key: loaded from storage, else made once by a perm handshake. */
  permKey(): Promise<KeyHandle> {
    return this.permKeeper.get()
  }

  /** The perm key could not be made (dc/perm-key-keeper): connect() waiters fail. */
  permFailed(err: Error): void {
    this.rejectConnect(err)
  }

  /**
   * `backgroundUntil` (local ms): a planned rotation, with a bound key still carrying the
   * calls. Until then its maths runs in 0.5 ms slices with BACKGROUND_PAUSE_MS between them
   * instead of 1 ms slices and a bare macrotask turn: ~6 % of a core, so the calls it runs
   * beside keep their latency (issue #6: rotation-window p99 within 10 % of steady state,
   * measured in client/src/lifecycle/rotation.browser.test.ts). Past it (a slow machine, a
   * throttled tab) the rest runs at full speed so the current key does not run out first.
   */
  runHandshake(mode: HandshakeMode, purpose: ConnectionPurpose, backgroundUntil: number | null = null): Promise<HandshakeResult> {
    if (this.stopped) return Promise.reject(new EngineError('CLOSED', 'DC stopped'))
    const pause = (): Promise<void> =>
      backgroundUntil !== null && this.now() < backgroundUntil ? this.sleep(BACKGROUND_PAUSE_MS) : yieldToEventLoop()
    return runHandshake({
      env: this.env,
      url: this.url,
      purpose,
      options: {
        mode,
        wireDcId: this.options.wireDcId(this.dcId),
        rsaKeys: this.rsaKeys,
        random: this.env.random,
        // Slices are timed on the env's clock: on a virtual one (the simulation) the maths
        // never yields, so how fast this machine computes cannot change a seed's run.
        cooperative: {
          now: () => this.now(),
          ...(backgroundUntil !== null ? { sliceMs: 0.5, yieldNow: pause } : {}),
          ...(this.env.modPow !== undefined ? { modPow: this.env.modPow } : {}),
        },
      },
      nextMsgId: () => (this.plainMsgId = nextMsgId(this.plainMsgId, this.serverNowS())),
      timeoutMs: HANDSHAKE_TIMEOUT_MS,
      signal: this.timers.signal,
    })
  }

  /** The policy's switch-traffic: new calls go to this key (null: hold them); its cause is counted. */
  switchTraffic(a: SwitchTraffic): void {
    const next = a.keyId === null ? null : (this.lanes.get(a.keyId) ?? null)
    this.trafficLaneNow = next
    if (!next) return
    if (a.cause === 'recovery') {
      this.counted.rebinds++
      this.hooks.keyEvent(this.event('recovered', next.key))
    } else if (a.cause === 'rotation') {
      this.counted.rotations++
      this.hooks.keyEvent(this.event('rotated', next.key, `replaces ${a.replaced}`))
    }
    this.schedulePing()
    for (const w of this.connectWaiters.splice(0)) w.resolve()
    this.rotateWaiters = this.rotateWaiters.filter((w) => (w.from === a.keyId ? true : (w.resolve(), false)))
    this.calls.flush()
  }

  /** The policy reported a bind failure it will not retry at once. */
  bindReported(code: string | number): void {
    this.setError(new EngineError(String(code), 'temp key bind failed'))
    if (this.trafficLaneNow) return
    this.rejectConnect(new EngineError('NOT_BOUND', `bind failed: ${code}`))
    this.calls.flush()
  }

  /** A lane for a new temp key, on its own connection: `next-temp` while another key carries traffic. */
  addLane(key: KeyHandle, serverSalt: bigint): Lane {
    const lane = new Lane(this.env, this.keys, key, this.url, this.options.wireDcId(this.dcId), this.trafficLaneNow ? 'next-temp' : 'main', this, serverSalt)
    this.lanes.set(key.idHex, lane)
    return lane
  }

  /** Zeroes and forgets a temp key and closes its lane. */
  dropLane(keyId: string, reason: Error): void {
    const lane = this.lanes.get(keyId)
    if (!lane) return
    this.lanes.delete(keyId)
    this.timers.cancel(`reconnect-${keyId}`)
    lane.close()
    this.service.failLane(lane, reason)
    if (this.trafficLaneNow === lane) this.trafficLaneNow = null
    this.keys.drop(lane.key)
    this.hooks.keyEvent(this.event('dropped', lane.key))
    this.calls.step({ type: 'key-lost', keyId })
    this.hooks.changed()
  }

  private async reopen(lane: Lane): Promise<void> {
    if (this.stopped || lane.isUp || !this.lanes.has(lane.key.idHex)) return
    try {
      lane.initEvent({ type: 'reopened' })
      await lane.open()
    } catch {
      return // onDown scheduled the next attempt
    }
    this.refreshStatus()
    if (lane === this.trafficLaneNow) this.calls.flush()
  }

  /** Resolves when traffic has moved to a new temp key (pfs/temp-key-policy rotate-now). */
  async rotate(): Promise<void> {
    await this.connect()
    const from = this.trafficLaneNow?.key.idHex
    if (from === undefined) throw new EngineError('NOT_BOUND', 'no traffic key')
    const done = new Promise<void>((resolve, reject) => this.rotateWaiters.push({ from, resolve, reject }))
    this.tempKeys.step({ type: 'rotate-now' })
    await done
  }

  private schedulePing(): void {
    this.later('ping', PING_INTERVAL_MS, () => {
      const lane = this.trafficLaneNow
      if (lane?.isUp) {
        const body = serializeObject({ _: 'ping_delay_disconnect', ping_id: randomLong(this.env.random), disconnect_delay: PING_DISCONNECT_DELAY_S })
        lane.send([{ kind: 'ping-delay-disconnect', body }]).catch(() => undefined)
      }
      this.schedulePing()
    })
  }

  // ---- perm key loss, logout, close ---------------------------------------------------------

  /** The policy proved the perm key dead (pfs §2): it and every temp key go; logged out. */
  async permKeyDead(): Promise<void> {
    this.stop('logged-out', new EngineError('LOGGED_OUT', `DC ${this.dcId}: perm key rejected by the server`))
    const perm = await this.permKeeper.drop()
    this.hooks.keyEvent(this.event('logged-out', perm))
  }

  /** auth.logOut, then every key of the DC is dropped, the perm key in storage too. */
  async logout(timeoutMs: number): Promise<void> {
    if (this.stopped === 'logged-out') return
    try {
      await this.connect()
      await this.calls.invoke(serializeObject({ _: 'auth.logOut' }), 'auth.logOut', timeoutMs)
    } catch (err) {
      // Logging out must not depend on the server: the keys go regardless.
      this.setError(err)
    }
    this.stop('logged-out', new EngineError('LOGGED_OUT', `DC ${this.dcId} logged out`))
    const perm = await this.permKeeper.drop()
    this.hooks.keyEvent(this.event('logged-out', perm))
  }

  close(): void {
    this.stop('closed', new EngineError('CLOSED', 'engine closed'))
  }

  private stop(how: 'closed' | 'logged-out', reason: EngineError): void {
    if (this.stopped === 'closed') return
    this.stopped = how
    this.timers.stop()
    for (const id of [...this.lanes.keys()]) this.dropLane(id, reason)
    this.trafficLaneNow = null
    this.rejectConnect(reason)
    for (const w of this.rotateWaiters.splice(0)) w.reject(reason)
    this.calls.failAll(reason)
    this.calls.dispose()
    this.statusNow = how
    this.hooks.changed()
  }

  private rejectConnect(err: Error): void {
    for (const w of this.connectWaiters.splice(0)) w.reject(err)
  }

  // ---- views and helpers --------------------------------------------------------------------

  /** Derives the status shown to the page from the lanes and the policy's next slot. */
  refreshStatus(): void {
    if (this.stopped) return
    const lane = this.trafficLaneNow
    const { status, waitReason } = connectionStatus({
      traffic: lane ? { up: lane.isUp } : null,
      phase: this.phase,
      next: this.tempKeys.state.next,
      permLoading: this.permKeeper.isLoading,
      started: this.started,
    })
    this.statusNow = status
    this.waitReasonNow = waitReason
    this.hooks.changed()
  }

  get nextRotationAt(): number | null {
    return this.tempKeys.renewAt
  }

  view(): DcStateView {
    return dcStateView(this)
  }

  get counters(): Readonly<DcCounters> {
    return this.counted
  }

  count(what: 'perm' | 'temp' | 'binds'): void {
    this.counted[what]++
  }

  /** Asks the temp-key policy for a new key now (time-sync: a clock only a handshake settles). */
  requestRotation(): void {
    this.tempKeys.step({ type: 'rotate-now' })
  }

  event(kind: KeyEvent['kind'], key: KeyHandle | null, detail?: string): KeyEvent {
    const e: KeyEvent = { dcId: this.dcId, kind, keyId: key?.idHex ?? null, keyKind: key?.kind ?? 'temp', at: Math.floor(this.serverNowS()) }
    if (detail !== undefined) e.detail = detail
    return e
  }

  setError(err: unknown): void {
    this.lastErrorSeen = errorView(err)
    this.hooks.changed()
  }

  /**
   * Before a call is sent and when a timer fires: a sleep the monotonic clock did not see
   * moves the server clock on, and the temp-key policy looks again, so a key that expired
   * meanwhile is replaced before anything is sent under it (issue #11).
   */
  noticeSleep(): void {
    if (this.stopped) return
    const { watch, sleptMs } = lookAtWall(this.wallWatch, this.env.clock.wallNow(), this.now())
    this.wallWatch = watch
    if (sleptMs === 0) return
    this.clockEvent({ type: 'slept', seconds: sleptMs / 1000 })
    this.tempKeys.step({ type: 'tick' })
  }

  /** Arms the named timer (replacing it): bounded, rate-limited, none once the DC stopped. */
  later(name: string, ms: number, fn: () => void): void {
    this.timers.later(name, ms, fn)
  }

  /** Waits `ms`; rejects CLOSED at once when the DC stops, so no timer outlives close(). */
  sleep(ms: number): Promise<void> {
    return this.timers.sleep(ms)
  }

  rand(): number {
    return new DataView(this.env.random(4).buffer).getUint32(0, true) / 2 ** 32
  }

  /** Seconds since this client made the perm key; null for a stored one (age unknown). */
  permAgeS(): number | null {
    return this.permKeeper.ageS()
  }
}
