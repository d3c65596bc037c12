/**
 * One DC: its perm key, the temp key lanes (traffic, next, retiring), the bind, the PFS
 * gate phase, rotation, -404 recovery and reconnects. Decisions come from the pure pfs/
 * and session/ modules; this class performs them with the EngineEnv.
 */
import { TransportError } from '@pfs-web/errors'
import { serializeObject } from '@pfs-web/tl'
import type { ConnectionStatus, DcStateView, ErrorView, KeyEvent, Last404View } from '../api.ts'
import type { EngineEnv } from '../env.ts'
import { EngineError } from '../errors.ts'
import type { HandshakeMode } from '../handshake/handshake.ts'
import { runHandshake } from '../handshake/run-handshake.ts'
import type { RsaKey } from '../handshake/rsa-keys.ts'
import type { KeyHandle, KeyStore } from '../keys/key-store.ts'
import { CALM, stepStorm, type StormState } from '../pfs/storm-control.ts'
import { nextMsgId, serverNow, stepClock, type ServerClock } from '../session/msg-id.ts'
import type { ConnectionPurpose } from '../transport/connection.ts'
import { bindWithPolicy } from './bind-flow.ts'
import { CallDriver, type CallHost } from './calls.ts'
import type { BindPhase } from './gate.ts'
import { dcStateView, errorView } from './dc-view.ts'
import { dispatch } from './dispatch.ts'
import { Lane, rawOf, type LaneOwner, type Received } from './lane.ts'
import type { ResolvedOptions } from './options.ts'
import { nextRotationAt, retire, rotate } from './rotation.ts'
import { ServiceRequests } from './service-requests.ts'

export interface DcHooks {
  changed(): void
  keyEvent(event: KeyEvent): void
  update(dcId: number, bytes: Uint8Array): void
}

const HANDSHAKE_TIMEOUT_MS = 30_000
const MAX_HANDSHAKE_ATTEMPTS = 8
const PING_INTERVAL_MS = 60_000
const PING_DISCONNECT_DELAY_S = 75

export class DcRuntime implements LaneOwner, CallHost {
  status: ConnectionStatus = 'idle'
  waitReason: string | null = null
  perm: KeyHandle | null = null
  lane: Lane | null = null
  nextLane: Lane | null = null
  readonly retiring = new Set<Lane>()
  phase: BindPhase = 'unbound'
  clock: ServerClock
  storm: StormState = CALM
  readonly calls: CallDriver
  readonly service: ServiceRequests
  readonly counters = { perm: 0, temp: 0, binds: 0, rotations: 0, rebinds: 0 }
  last404: Last404View | null = null
  lastError: ErrorView | null = null
  private permCreatedAt: number | null = null
  private establishing: Promise<void> | null = null
  private plainMsgId = 0n
  private timers = new Map<string, () => void>()
  private closed = false

  constructor(
    readonly env: EngineEnv,
    readonly keys: KeyStore,
    readonly dcId: number,
    readonly url: string,
    readonly options: ResolvedOptions,
    private readonly rsaKeys: readonly RsaKey[],
    readonly hooks: DcHooks,
  ) {
    const now = env.clock.now()
    this.clock = { sync: 'unsynced', offsetS: env.clock.wallNow() / 1000 - now / 1000 }
    this.calls = new CallDriver(this)
    this.service = new ServiceRequests(env)
  }

  // ---- LaneOwner / CallHost -------------------------------------------------------------

  now(): number {
    return this.env.clock.now()
  }
  setTimer(ms: number, fn: () => void): () => void {
    return this.env.setTimer(ms, fn)
  }
  serverNowS(): number {
    return serverNow(this.clock, this.now())
  }
  trafficLane(): Lane | null {
    return this.lane
  }
  bindPhase(): BindPhase {
    return this.phase
  }

  wrapInit(query: Uint8Array): Uint8Array {
    const a = this.options.app
    return serializeObject({
      _: 'invokeWithLayer',
      layer: this.options.layer,
      query: {
        _: 'initConnection',
        api_id: a.apiId,
        device_model: a.deviceModel,
        system_version: a.systemVersion,
        app_version: a.appVersion,
        system_lang_code: a.systemLangCode,
        lang_pack: a.langPack,
        lang_code: a.langCode,
        query: rawOf(query),
      },
    })
  }

  onMessage(lane: Lane, msg: Received): void {
    dispatch(this, lane, msg)
  }

  onTransportError(lane: Lane, code: number): void {
    if (code === -404 && !lane.retiring) {
      this.last404 = { at: Math.floor(this.serverNowS()), cause: lane.bound ? 'temp-key-forgotten' : 'during-bind' }
      this.hooks.keyEvent(this.event('not-found-404', lane.key))
      this.setError(new TransportError(-404, 'temp key not found'))
      void this.recover(lane)
      return
    }
    lane.conn?.close(new TransportError(code, `transport error ${code}`))
  }

  onDown(lane: Lane, error: Error): void {
    this.setError(error)
    if (this.closed || this.status === 'logged-out') return
    this.service.failLane(lane, error)
    this.calls.step({ type: 'session-lost', sessionId: lane.session.sessionId })
    if (lane.retiring) {
      retire(this, lane)
      return
    }
    if (lane !== this.lane) return
    this.status = 'backoff'
    this.waitReason = 'reconnect'
    this.hooks.changed()
    const { state } = stepStorm(this.storm, { type: 'failed' }, this.now(), () => this.rand())
    this.storm = state
    this.later('reconnect', Math.max(100, state.backoffUntil - this.now()), () => void this.reopen(lane))
  }

  onSaltRefresh(lane: Lane, num: number): void {
    lane.send([{ kind: 'get-future-salts', body: serializeObject({ _: 'get_future_salts', num }) }]).catch(() => undefined)
  }

  scheduleAckFlush(lane: Lane, atMs: number): void {
    this.later(`ack-${lane.key.idHex}`, Math.max(0, atMs - this.now()), () => lane.ackEvent({ type: 'tick' }))
  }

  onNotBound(lane: Lane): void {
    if (lane === this.lane && lane.bound) void this.recover(lane)
  }

  onDrained(keyId: string): void {
    for (const lane of this.retiring) if (lane.key.idHex === keyId) retire(this, lane)
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /** Resolves once a bound temp key carries traffic (or rejects when that failed for good). */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new EngineError('CLOSED', 'engine closed'))
    if (this.status === 'logged-out') return Promise.reject(new EngineError('LOGGED_OUT', `DC ${this.dcId} logged out`))
    if (this.lane && this.phase === 'bound') return Promise.resolve()
    if (!this.establishing) {
      this.establishing = this.establish().finally(() => {
        this.establishing = null
      })
    }
    return this.establishing
  }

  private async establish(): Promise<void> {
    this.setStatus('connecting')
    if (!this.perm) {
      this.perm = (await this.keys.loadPerm(this.dcId, this.env.permKeys)) ?? null
      this.permCreatedAt = null
    }
    this.setStatus('handshaking')
    // pfs §1.1: with no perm key yet, the perm and temp handshakes run in parallel.
    const [, temp] = await Promise.all([this.perm ? Promise.resolve(this.perm) : this.makePerm(), this.makeTemp('temp-handshake')])
    await this.installTrafficLane(temp)
  }

  private async makePerm(): Promise<KeyHandle> {
    const r = await this.handshake({ kind: 'perm' }, 'perm-handshake')
    const perm = this.keys.add(this.dcId, 'perm', r.authKey, r.serverTime, null)
    await this.keys.persistPerm(perm, this.env.permKeys)
    this.perm = perm
    this.permCreatedAt = this.now()
    this.counters.perm++
    this.hooks.keyEvent(this.event('created', perm))
    this.hooks.changed()
    return perm
  }

  async makeTemp(purpose: ConnectionPurpose): Promise<{ key: KeyHandle; salt: bigint }> {
    const [lo, hi] = this.options.tempKeyLifetimeS
    const expiresIn = Math.floor(lo + (hi - lo) * this.rand())
    const r = await this.handshake({ kind: 'temp', expiresIn }, purpose)
    this.clock = stepClock(this.clock, { type: 'handshake', serverTime: r.serverTime }, r.serverTimeAt)
    const key = this.keys.add(this.dcId, 'temp', r.authKey, r.serverTime, r.serverTime + expiresIn)
    this.counters.temp++
    this.hooks.keyEvent(this.event('created', key))
    this.hooks.changed()
    return { key, salt: r.serverSalt }
  }

  /** One handshake under the storm budget (pfs/storm-control), restarted on failure. */
  private async handshake(mode: HandshakeMode, purpose: ConnectionPurpose) {
    for (let attempt = 1; ; attempt++) {
      this.assertLive()
      const { state, verdict } = stepStorm(this.storm, { type: 'request' }, this.now(), () => this.rand())
      this.storm = state
      if (verdict && !verdict.allowed) {
        this.setStatus('backoff', verdict.reason)
        await this.sleep(verdict.until - this.now())
        this.setStatus('handshaking')
        continue
      }
      try {
        return await runHandshake({
          env: this.env,
          url: this.url,
          purpose,
          options: { mode, wireDcId: this.options.wireDcId(this.dcId), rsaKeys: this.rsaKeys, random: this.env.random },
          nextMsgId: () => (this.plainMsgId = nextMsgId(this.plainMsgId, this.serverNowS())),
          timeoutMs: HANDSHAKE_TIMEOUT_MS,
        })
      } catch (err) {
        this.setError(err)
        this.storm = stepStorm(this.storm, { type: 'failed' }, this.now(), () => this.rand()).state
        if (attempt >= MAX_HANDSHAKE_ATTEMPTS) throw err
      }
    }
  }

  /** Opens a lane for a fresh temp key, binds it and makes it carry traffic. */
  private async installTrafficLane(temp: { key: KeyHandle; salt: bigint }): Promise<void> {
    const lane = new Lane(this.env, this.keys, temp.key, this.url, this.options.wireDcId(this.dcId), 'main', this, temp.salt)
    this.lane = lane
    this.phase = 'unbound'
    this.setStatus('binding')
    await lane.open()
    await bindWithPolicy(this, lane, 'traffic')
    if (this.lane !== lane) return
    this.phase = 'bound'
    this.setStatus('ready')
    this.calls.flush()
  }

  async reopen(lane: Lane): Promise<void> {
    if (this.closed || lane.isUp || !this.keys.has(lane.key)) return
    if (lane === this.lane) this.setStatus('connecting')
    try {
      lane.needsInit = true
      await lane.open()
    } catch {
      return // onDown scheduled the next attempt with backoff
    }
    if (lane === this.lane) {
      this.setStatus(this.phase === 'bound' ? 'ready' : 'binding')
      this.calls.flush()
    }
  }

  /**
   * Transport -404 (or 401 AUTH_KEY_PERM_EMPTY) on a lane: its temp key is gone on the
   * server. Drop it (zeroed), requeue its unanswered calls, and for the traffic lane make
   * and bind a new temp key; the perm key is kept (pfs §1.7–8).
   */
  private async recover(lane: Lane): Promise<void> {
    const binding = lane === this.lane && this.phase !== 'bound'
    this.dropLane(lane, new TransportError(-404, 'temp key not found'))
    if (lane === this.nextLane || lane.retiring || binding) return // the bind loop or rotation reacts
    if (lane !== this.lane) return
    this.counters.rebinds++
    try {
      await this.replaceTemp(lane)
      this.hooks.keyEvent(this.event('recovered', this.lane?.key ?? null))
    } catch (err) {
      this.setError(err)
      this.setStatus('backoff', 'recovery-failed')
    }
  }

  /** Makes a new temp key, binds it on a new traffic lane; `old` is dropped first. */
  async replaceTemp(old: Lane): Promise<void> {
    this.dropLane(old, new EngineError('KEY_REPLACED', 'temp key replaced'))
    this.lane = null
    this.phase = 'unbound'
    this.setStatus('handshaking')
    await this.installTrafficLane(await this.makeTemp('temp-handshake'))
  }

  dropLane(lane: Lane, reason: Error): void {
    lane.close()
    this.service.failLane(lane, reason)
    if (this.keys.has(lane.key)) {
      this.keys.drop(lane.key)
      this.hooks.keyEvent(this.event('dropped', lane.key))
    }
    this.calls.step({ type: 'key-lost', keyId: lane.key.idHex })
    if (lane === this.nextLane) this.nextLane = null
    this.retiring.delete(lane)
    this.hooks.changed()
  }

  schedulePing(): void {
    this.later('ping', PING_INTERVAL_MS, () => {
      const lane = this.lane
      if (lane?.isUp) {
        const pingId = new DataView(this.env.random(8).buffer).getBigInt64(0, true)
        const body = serializeObject({ _: 'ping_delay_disconnect', ping_id: pingId, disconnect_delay: PING_DISCONNECT_DELAY_S })
        lane.send([{ kind: 'ping-delay-disconnect', body }]).catch(() => undefined)
      }
      this.schedulePing()
    })
  }

  // ---- logout / close -----------------------------------------------------------------------

  async dropPerm(): Promise<void> {
    const perm = this.perm
    this.perm = null
    this.permCreatedAt = null
    await this.env.permKeys.delete(this.dcId)
    if (perm) {
      this.keys.drop(perm)
      this.hooks.keyEvent(this.event('dropped', perm))
    }
  }

  /** auth.logOut, then every key of the DC is dropped, the perm key in storage too. */
  async logout(timeoutMs: number): Promise<void> {
    if (this.status === 'logged-out') return
    try {
      await this.connect()
      await this.calls.invoke(serializeObject({ _: 'auth.logOut' }), 'auth.logOut', timeoutMs)
    } catch (err) {
      // Logging out must not depend on the server: the keys go regardless.
      this.setError(err)
    }
    const perm = this.perm
    this.shutdown(new EngineError('LOGGED_OUT', `DC ${this.dcId} logged out`))
    await this.dropPerm()
    this.status = 'logged-out'
    this.hooks.keyEvent(this.event('logged-out', perm))
    this.hooks.changed()
  }

  close(): void {
    this.shutdown(new EngineError('CLOSED', 'engine closed'))
    this.closed = true
    this.status = 'closed'
    this.hooks.changed()
  }

  private shutdown(reason: EngineError): void {
    for (const cancel of this.timers.values()) cancel()
    this.timers.clear()
    for (const lane of [this.lane, this.nextLane, ...this.retiring]) if (lane) this.dropLane(lane, reason)
    this.lane = null
    this.nextLane = null
    this.phase = 'unbound'
    this.calls.failAll(reason)
    this.calls.dispose()
  }

  // ---- views and helpers --------------------------------------------------------------------

  event(kind: KeyEvent['kind'], key: KeyHandle | null, detail?: string): KeyEvent {
    const e: KeyEvent = { dcId: this.dcId, kind, keyId: key?.idHex ?? null, keyKind: key?.kind ?? 'temp', at: Math.floor(this.serverNowS()) }
    if (detail !== undefined) e.detail = detail
    return e
  }

  view(): DcStateView {
    return dcStateView(this)
  }

  get nextRotationAt(): number | null {
    return nextRotationAt(this)
  }

  rotate(): Promise<void> {
    return rotate(this)
  }

  setError(err: unknown): void {
    this.lastError = errorView(err)
    this.hooks.changed()
  }

  setStatus(status: ConnectionStatus, waitReason: string | null = null): void {
    if (this.closed || this.status === 'logged-out') return
    this.status = status
    this.waitReason = waitReason
    this.hooks.changed()
  }

  later(name: string, ms: number, fn: () => void): void {
    this.timers.get(name)?.()
    const cancel = this.env.setTimer(ms, () => {
      this.timers.delete(name)
      if (!this.closed) fn()
    })
    this.timers.set(name, cancel)
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.env.setTimer(Math.max(0, ms), resolve))
  }

  rand(): number {
    return new DataView(this.env.random(4).buffer).getUint32(0, true) / 2 ** 32
  }

  permAgeS(): number | null {
    return this.permCreatedAt === null ? null : (this.now() - this.permCreatedAt) / 1000
  }

  assertLive(): void {
    if (this.closed) throw new EngineError('CLOSED', 'engine closed')
    if (this.status === 'logged-out') throw new EngineError('LOGGED_OUT', `DC ${this.dcId} logged out`)
  }
}
