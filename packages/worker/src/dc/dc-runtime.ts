/**
 * One DC: its perm key, the temp key lanes (traffic, next, retiring), the bind, the PFS
 * gate phase, rotation, -404 recovery and reconnects. Decisions come from the pure pfs/
 * and session/ modules; this class performs them with the EngineEnv.
 */
import { TransportError } from '@pfs-web/errors'
import { serializeObject, type TlObject } from '@pfs-web/tl'
import type { ConnectionStatus, DcStateView, ErrorView, KeyEvent, Last404View } from '../api.ts'
import type { EngineEnv } from '../env.ts'
import { EngineError } from '../errors.ts'
import type { HandshakeMode } from '../handshake/handshake.ts'
import { runHandshake } from '../handshake/run-handshake.ts'
import type { RsaKey } from '../handshake/rsa-keys.ts'
import type { KeyHandle, KeyStore } from '../keys/key-store.ts'
import { onBindError, type BindDecision } from '../pfs/bind-errors.ts'
import { CALM, stepStorm, type StormState } from '../pfs/storm-control.ts'
import { nextMsgId, serverNow, stepClock, type ServerClock } from '../session/msg-id.ts'
import type { ConnectionPurpose } from '../transport/connection.ts'
import { bindRequest } from './bind.ts'
import { CallDriver, type CallHost } from './calls.ts'
import type { BindPhase } from './gate.ts'
import { dispatch } from './dispatch.ts'
import { Lane, rawOf, type LaneOwner, type Received } from './lane.ts'
import type { ResolvedOptions } from './options.ts'

export interface DcHooks {
  changed(): void
  keyEvent(event: KeyEvent): void
  update(dcId: number, bytes: Uint8Array): void
}

/** A pending bind (or other service request) on a lane, by msg_id. */
export interface ServiceWait {
  lane: Lane
  settle(result: TlObject | Error): void
  resend(): void
}

const HANDSHAKE_TIMEOUT_MS = 30_000
const BIND_TIMEOUT_MS = 20_000
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
  readonly service = new Map<bigint, ServiceWait>()
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
    private readonly url: string,
    readonly options: ResolvedOptions,
    private readonly rsaKeys: readonly RsaKey[],
    readonly hooks: DcHooks,
  ) {
    const now = env.clock.now()
    this.clock = { sync: 'unsynced', offsetS: env.clock.wallNow() / 1000 - now / 1000 }
    this.calls = new CallDriver(this)
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
    this.failService(lane, error)
    this.calls.step({ type: 'session-lost', sessionId: lane.session.sessionId })
    if (lane.retiring) {
      this.retire(lane)
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
    for (const lane of this.retiring) if (lane.key.idHex === keyId) this.retire(lane)
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

  private async makeTemp(purpose: ConnectionPurpose): Promise<{ key: KeyHandle; salt: bigint }> {
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
    await this.bindWithPolicy(lane, 'traffic')
    if (this.lane !== lane) return
    this.phase = 'bound'
    this.setStatus('ready')
    this.calls.flush()
  }

  /**
   * auth.bindTempAuthKey with pfs/bind-errors deciding what a failure means. For the
   * traffic lane a failure may replace the temp key; for a rotation's next lane it throws
   * and the rotation is retried later.
   */
  async bindWithPolicy(lane: Lane, role: 'traffic' | 'next'): Promise<void> {
    let sendFailures = 0
    for (let attempt = 1; ; attempt++) {
      this.assertLive()
      if (!this.keys.has(lane.key)) {
        // -404 arrived mid-bind: the key is gone (recover() dropped it).
        if (role === 'next') throw new EngineError('KEY_DROPPED', 'next temp key forgotten')
        await this.replaceTemp(lane)
        return
      }
      let failure: Parameters<typeof onBindError>[0]
      try {
        const result = await this.sendBind(lane)
        if (result._ === 'boolTrue') {
          lane.bound = true
          lane.needsInit = true
          this.counters.binds++
          this.storm = stepStorm(this.storm, { type: 'bound' }, this.now(), () => this.rand()).state
          this.hooks.keyEvent(this.event('bound', lane.key))
          this.scheduleRotation(lane)
          this.schedulePing()
          return
        }
        failure = result._ === 'rpc_error' ? { kind: 'rpc-error', code: result.error_code, message: result.error_message } : { kind: 'bool-false' }
      } catch (err) {
        this.setError(err)
        if (++sendFailures > MAX_HANDSHAKE_ATTEMPTS) throw err
        await this.sleep(500 * sendFailures)
        if (!lane.isUp && this.keys.has(lane.key)) await this.reopen(lane)
        continue
      }
      const decision: BindDecision = onBindError(
        failure,
        { permKeyAgeS: this.permAgeS(), attempt, clock: this.clock.sync, probe: attempt > 1 ? 'dead' : 'not-probed' },
        () => this.rand(),
      )
      this.setError(new EngineError(failure.kind === 'rpc-error' ? failure.message : 'BIND_FALSE', `bind failed (${decision.action})`))
      switch (decision.action) {
        case 'retry-bind':
          await this.sleep(decision.delayMs)
          continue
        case 'resync-time-and-retry':
          continue
        case 'probe-perm-key':
        case 'new-temp-key':
          // A fresh temp key is the probe this client can make without sending anything under the perm key.
          if (role === 'next') throw new EngineError('BIND_FAILED', decision.action)
          await this.replaceTemp(lane)
          return
        case 'drop-perm-key':
          await this.dropPerm()
          if (role === 'next') throw new EngineError('BIND_FAILED', decision.action)
          await this.replaceTemp(lane)
          return
        case 'report':
          if (role === 'next') throw new EngineError('BIND_FAILED', String(decision.code))
          this.phase = 'failed'
          this.setStatus('backoff', 'bind-failed')
          this.calls.flush()
          throw new EngineError('NOT_BOUND', `bind failed for good: ${decision.code}`)
      }
    }
  }

  private sendBind(lane: Lane): Promise<TlObject> {
    const perm = this.perm
    if (!perm) return Promise.reject(new EngineError('NO_PERM_KEY', 'bind without a perm key'))
    const expiresAt = lane.key.expiresAt ?? Math.floor(this.serverNowS()) + this.options.tempKeyLifetimeS[0]
    const body = bindRequest({ keys: this.keys, perm, temp: lane.key, tempSessionId: lane.session.sessionId, expiresAt, random: this.env.random })
    return this.serviceRequest(lane, 'rpc-query', body, BIND_TIMEOUT_MS)
  }

  /** Sends a request on a lane and resolves with its rpc_result (resent on bad_msg / bad salt). */
  serviceRequest(lane: Lane, kind: 'rpc-query', body: (msgId: bigint) => Promise<Uint8Array>, timeoutMs: number): Promise<TlObject> {
    return new Promise<TlObject>((resolve, reject) => {
      let msgId: bigint | null = null
      const cancel = this.env.setTimer(timeoutMs, () => settle(new EngineError('TIMEOUT', 'service request timed out')))
      const settle = (r: TlObject | Error): void => {
        cancel()
        if (msgId !== null) this.service.delete(msgId)
        if (r instanceof Error) reject(r)
        else resolve(r)
      }
      const send = (): void => {
        if (msgId !== null) this.service.delete(msgId)
        lane.send([{ kind, body }]).then(
          ([s]) => {
            if (!s) return
            msgId = s.msgId
            this.service.set(s.msgId, { lane, settle, resend: send })
          },
          (err: unknown) => settle(err instanceof Error ? err : new EngineError('SEND_FAILED', String(err))),
        )
      }
      send()
    })
  }

  private failService(lane: Lane, error: Error): void {
    for (const w of [...this.service.values()]) if (w.lane === lane) w.settle(error)
  }

  private async reopen(lane: Lane): Promise<void> {
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
  private async replaceTemp(old: Lane): Promise<void> {
    this.dropLane(old, new EngineError('KEY_REPLACED', 'temp key replaced'))
    this.lane = null
    this.phase = 'unbound'
    this.setStatus('handshaking')
    await this.installTrafficLane(await this.makeTemp('temp-handshake'))
  }

  private dropLane(lane: Lane, reason: Error): void {
    lane.close()
    this.failService(lane, reason)
    if (this.keys.has(lane.key)) {
      this.keys.drop(lane.key)
      this.hooks.keyEvent(this.event('dropped', lane.key))
    }
    this.calls.step({ type: 'key-lost', keyId: lane.key.idHex })
    if (lane === this.nextLane) this.nextLane = null
    this.retiring.delete(lane)
    this.hooks.changed()
  }

  // ---- rotation (make-before-break) -------------------------------------------------------

  private scheduleRotation(lane: Lane): void {
    const expiresAt = lane.key.expiresAt
    if (expiresAt === null) return
    const at = expiresAt - this.options.rotationMarginS
    this.later('rotation', Math.max(0, (at - this.serverNowS()) * 1000), () => void this.rotate().catch((err: unknown) => this.setError(err)))
  }

  get nextRotationAt(): number | null {
    const exp = this.lane?.bound ? this.lane.key.expiresAt : null
    return exp === null || exp === undefined ? null : exp - this.options.rotationMarginS
  }

  /**
   * The next temp key is made and bound on its own connection before the current one
   * expires; new calls move to it at once, in-flight calls finish on the old key, which
   * is then zeroed and dropped.
   */
  async rotate(): Promise<void> {
    await this.connect()
    if (this.nextLane || !this.lane) return
    const temp = await this.makeTemp('temp-handshake')
    const next = new Lane(this.env, this.keys, temp.key, this.url, this.options.wireDcId(this.dcId), 'next-temp', this, temp.salt)
    this.nextLane = next
    this.hooks.changed()
    try {
      await next.open()
      await this.bindWithPolicy(next, 'next')
    } catch (err) {
      this.dropLane(next, err instanceof Error ? err : new EngineError('ROTATION_FAILED', String(err)))
      const current = this.lane
      if (current) this.later('rotation', 30_000, () => void this.rotate().catch((e: unknown) => this.setError(e)))
      throw err
    }
    const old = this.lane
    this.nextLane = null
    this.lane = next
    this.phase = 'bound'
    this.counters.rotations++
    this.hooks.keyEvent(this.event('rotated', next.key, old ? `replaces ${old.key.idHex}` : undefined))
    this.setStatus('ready')
    this.calls.flush()
    if (old) {
      old.retiring = true
      this.retiring.add(old)
      if (this.calls.inFlightOn(old.key.idHex) === 0) this.retire(old)
    }
  }

  private retire(lane: Lane): void {
    if (!this.retiring.has(lane)) return
    this.dropLane(lane, new EngineError('KEY_RETIRED', 'temp key retired'))
  }

  private schedulePing(): void {
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

  private async dropPerm(): Promise<void> {
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

  view(): DcStateView {
    const lane = this.lane
    return {
      dcId: this.dcId,
      status: this.status,
      waitReason: this.status === 'backoff' ? this.waitReason : null,
      permKeyId: this.perm?.idHex ?? null,
      tempKeyId: lane?.key.idHex ?? null,
      nextTempKeyId: this.nextLane?.key.idHex ?? null,
      bound: this.phase === 'bound' && (lane?.bound ?? false),
      expiresAt: lane?.key.expiresAt ?? null,
      nextRotationAt: this.nextRotationAt,
      serverTimeOffset: this.clock.offsetS - (this.env.clock.wallNow() / 1000 - this.now() / 1000),
      handshakes: { perm: this.counters.perm, temp: this.counters.temp },
      binds: this.counters.binds,
      rotations: this.counters.rotations,
      rebinds: this.counters.rebinds,
      last404: this.last404,
      stormBackoffUntil: this.storm.backoffUntil > this.now() ? Math.floor(this.serverNowS() + (this.storm.backoffUntil - this.now()) / 1000) : null,
      lastError: this.lastError,
    }
  }

  event(kind: KeyEvent['kind'], key: KeyHandle | null, detail?: string): KeyEvent {
    const e: KeyEvent = { dcId: this.dcId, kind, keyId: key?.idHex ?? null, keyKind: key?.kind ?? 'temp', at: Math.floor(this.serverNowS()) }
    if (detail !== undefined) e.detail = detail
    return e
  }

  setError(err: unknown): void {
    const e = err as { name?: unknown; code?: unknown; message?: unknown }
    this.lastError = {
      name: typeof e?.name === 'string' ? e.name : 'Error',
      code: typeof e?.code === 'string' || typeof e?.code === 'number' ? e.code : 'UNKNOWN',
      message: typeof e?.message === 'string' ? e.message : String(err),
    }
    this.hooks.changed()
  }

  private setStatus(status: ConnectionStatus, waitReason: string | null = null): void {
    if (this.closed || this.status === 'logged-out') return
    this.status = status
    this.waitReason = waitReason
    this.hooks.changed()
  }

  private later(name: string, ms: number, fn: () => void): void {
    this.timers.get(name)?.()
    const cancel = this.env.setTimer(ms, () => {
      this.timers.delete(name)
      if (!this.closed) fn()
    })
    this.timers.set(name, cancel)
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.env.setTimer(Math.max(0, ms), resolve))
  }

  private rand(): number {
    return new DataView(this.env.random(4).buffer).getUint32(0, true) / 2 ** 32
  }

  private permAgeS(): number | null {
    return this.permCreatedAt === null ? null : (this.now() - this.permCreatedAt) / 1000
  }

  private assertLive(): void {
    if (this.closed) throw new EngineError('CLOSED', 'engine closed')
    if (this.status === 'logged-out') throw new EngineError('LOGGED_OUT', `DC ${this.dcId} logged out`)
  }
}
