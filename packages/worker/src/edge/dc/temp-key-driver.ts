/**
 * Performs pfs/temp-key-policy (issue #6): one TempKeyState per DC, stepped on timer
 * ticks, handshake and bind outcomes, -404s and drained keys; its actions (start a temp
 * handshake, bind, switch traffic, requeue, drop, schedule…) are carried out here with
 * the lanes, the key store and the call outbox. The perm key is not the policy's: it is
 * made or loaded once per DC by the runtime.
 */
import { TransportError } from '@pfs-web/errors'
import { EngineError } from '../../errors.ts'
import { DEFAULT_BIND_RETRY, type BindFailure, type BindRetryConfig } from '../../policy/pfs/bind-errors.ts'
import type { TempKeyAction, TempKeyState } from '../../policy/pfs/key-slots.ts'
import type { TempKeyConfig } from '../../policy/pfs/temp-key-config.ts'
import { NO_KEYS, stepTempKeys, type TempKeyEvent } from '../../policy/pfs/temp-key-policy.ts'
import { bindRequest } from './bind.ts'
import type { KeyEvent } from '../../api.ts'
import type { EngineEnv } from '../../env.ts'
import type { HandshakeMode } from '../../handshake/handshake.ts'
import type { Handshaken } from '../../handshake/run-handshake.ts'
import type { KeyHandle, KeyStore } from '../../keys/key-store.ts'
import type { ServerClock } from '../../policy/session/msg-id.ts'
import type { Connection, ConnectionPurpose } from '../transport/connection.ts'
import type { CallDriver } from './calls.ts'
import type { DcHooks } from './dc-hooks.ts'
import type { Lane } from './lane.ts'
import type { ResolvedOptions } from './options.ts'
import type { ServiceRequests } from './service-requests.ts'
import { renumberSessionsAhead, type ClockSyncHost } from './time-sync.ts'

/** The DC the driver performs the policy's actions on: its lanes, keys, timers and reports. */
export interface TempKeyHost extends ClockSyncHost {
  readonly dcId: number
  readonly url: string
  readonly env: EngineEnv
  readonly keys: KeyStore
  readonly options: ResolvedOptions
  readonly hooks: DcHooks
  readonly lanes: ReadonlyMap<string, Lane>
  /** A lane for a new temp key on the connection its handshake ran on. */
  addLane(key: KeyHandle, serverSalt: bigint, conn: Connection): Lane
  /** The lane new calls go out on, if any. */
  readonly lane: Lane | null
  readonly calls: CallDriver
  readonly service: ServiceRequests
  readonly isStopped: boolean
  readonly clock: ServerClock
  rand(): number
  event(kind: KeyEvent['kind'], key: KeyHandle | null, detail?: string): KeyEvent
  runHandshake(mode: HandshakeMode, purpose: ConnectionPurpose, backgroundUntil: number | null): Promise<Handshaken>
  permKey(): Promise<KeyHandle>
  permAgeS(): number | null
  switchTraffic(a: Extract<TempKeyAction, { type: 'switch-traffic' }>): void
  dropLane(keyId: string, reason: Error): void
  permKeyDead(): Promise<void>
  bindReported(code: string | number): void
  later(name: string, ms: number, fn: () => void): void
  refreshStatus(): void
  setError(err: unknown): void
  /** Counts a temp key made, or a bind that succeeded, for the state view. */
  count(what: 'temp' | 'binds'): void
}

export class TempKeyDriver {
  #policyState = NO_KEYS
  readonly #config: TempKeyConfig

  readonly #dc: TempKeyHost

  constructor(dc: TempKeyHost) {
    this.#dc = dc
    this.#config = dc.options.tempKeys
  }

  get #bindConfig(): BindRetryConfig {
    return this.#config.bind ?? DEFAULT_BIND_RETRY
  }

  /** The policy's state: this driver is its one writer. */
  get state(): TempKeyState {
    return this.#policyState
  }

  /** The key being made and bound next, if any. */
  get nextKeyId(): string | null {
    return this.state.next.phase === 'binding' ? this.state.next.key.id : null
  }

  get renewAt(): number | null {
    return this.state.current?.renewAt ?? null
  }

  step(event: TempKeyEvent): void {
    const dc = this.#dc
    if (dc.isStopped) return
    // The policy ignores a drained key that is not retiring (temp-key-policy
    // 'in-flight-drained'), and at 1 in flight every answer drains the current key: skip the
    // step and its re-armed wake (issue #17, ~4 % of a small call's CPU). The status is still
    // refreshed: that is what shows the page a clock the answer just moved.
    if (event.type === 'in-flight-drained' && !this.#policyState.retiring.some((k) => k.id === event.keyId)) {
      dc.refreshStatus()
      return
    }
    const clock = { now: dc.now(), serverNow: dc.serverNowS(), sync: dc.clock.sync }
    const { state, actions } = stepTempKeys(this.#policyState, event, clock, () => dc.rand(), this.#config)
    this.#policyState = state
    for (const a of actions) this.#perform(a)
    dc.refreshStatus()
  }

  #perform(a: TempKeyAction): void {
    const dc = this.#dc
    switch (a.type) {
      case 'start-temp-handshake':
        dc.hooks.keyEvent(dc.event('handshake-started', null, a.cause))
        void this.#makeTemp(a.expiresInS, a.backgroundUntilMs)
        return
      case 'send-bind':
        void this.#bind(a.keyId, a.expiresAt)
        return
      case 'send-init-connection': {
        const lane = dc.lanes.get(a.keyId)
        lane?.initEvent({ type: 'bound' })
        return
      }
      case 'switch-traffic':
        dc.switchTraffic(a)
        return
      case 'requeue-calls':
        dc.calls.step({ type: 'key-lost', keyId: a.keyId })
        return
      case 'drop-key':
        dc.dropLane(a.keyId, new EngineError('KEY_DROPPED', 'temp key dropped'))
        return
      case 'resync-time':
        // bad_msg 16/17 and every answer already resync the clock (session/msg-id).
        this.#later({ type: 'time-resynced' })
        return
      case 'drop-perm-key':
        dc.permKeyDead().catch((err: unknown) => dc.setError(err))
        return
      case 'report':
        dc.bindReported(a.code)
        return
      case 'schedule':
        dc.later('temp-key-policy', Math.max(0, a.atMs - dc.now()), () => this.step({ type: 'tick' }))
        return
    }
  }

  /** Events an action produces are stepped after the current step's actions have all run. */
  #later(event: TempKeyEvent): void {
    Promise.resolve()
      .then(() => this.step(event))
      .catch((err: unknown) => this.#dc.setError(err))
  }

  /**
   * start-temp-handshake: a temp key on a connection of its own, which its lane then keeps
   * for the bind and the calls (issue #17); a connection no lane took is closed here.
   */
  async #makeTemp(expiresIn: number, backgroundUntilMs: number | null): Promise<void> {
    const dc = this.#dc
    let made: Handshaken | null = null
    let lane: Lane | null = null
    try {
      const r = (made = await dc.runHandshake({ kind: 'temp', expiresIn }, 'temp-handshake', backgroundUntilMs))
      if (dc.isStopped) {
        // closed while the handshake ran: the key is never used, so it is not kept
        r.authKey.fill(0)
        r.conn.close()
        return
      }
      dc.clockEvent({ type: 'handshake', serverTime: r.serverTime }, r.serverTimeAt)
      renumberSessionsAhead(dc)
      const key = dc.keys.add(dc.dcId, 'temp', r.authKey, r.serverTime, r.serverTime + expiresIn)
      dc.count('temp')
      dc.hooks.keyEvent(dc.event('created', key))
      lane = dc.addLane(key, r.serverSalt, r.conn)
      // at once when the handshake's connection is still up; a new one if it dropped meanwhile
      await lane.open()
      this.step({ type: 'temp-handshake-done', keyId: key.idHex, serverTime: r.serverTime })
    } catch (err) {
      dc.setError(err)
      if (lane) dc.dropLane(lane.key.idHex, err instanceof Error ? err : new TransportError('CLOSED', String(err)))
      else made?.conn.close()
      this.step({ type: 'temp-handshake-failed' })
    }
  }

  /** send-bind: auth.bindTempAuthKey on the key's own lane and session (encryption.md §7). */
  async #bind(keyId: string, expiresAt: number): Promise<void> {
    const dc = this.#dc
    const lane = dc.lanes.get(keyId)
    if (!lane) return
    let result
    try {
      const perm = await dc.permKey()
      // the lane may have been dropped (or the engine closed) while the perm key was made
      if (dc.isStopped || dc.lanes.get(keyId) !== lane) return
      await lane.open()
      const body = bindRequest({ keys: dc.keys, perm, temp: lane.key, tempSessionId: lane.session.sessionId, expiresAt, random: dc.env.random })
      result = await dc.service.request(lane, body, this.#bindConfig.answerTimeoutMs)
    } catch (err) {
      dc.setError(err)
      // an unanswered timeout is the policy's step timeout to judge; a dropped lane is a lost bind
      if (!(err instanceof EngineError && err.code === 'TIMEOUT')) this.step({ type: 'bind-lost', keyId })
      return
    }
    if (result._ === 'boolTrue') {
      lane.markBound()
      dc.count('binds')
      dc.hooks.keyEvent(dc.event('bound', lane.key))
      const current = dc.lane
      this.step({ type: 'bind-ok', keyId, inFlightOnCurrent: current ? dc.calls.inFlightOn(current.key.idHex) : 0 })
      return
    }
    const failure: BindFailure = result._ === 'rpc_error' ? { kind: 'rpc-error', code: result.error_code, message: result.error_message } : { kind: 'bool-false' }
    dc.setError(new EngineError(failure.kind === 'rpc-error' ? failure.message : 'BIND_FALSE', 'auth.bindTempAuthKey failed'))
    this.step({ type: 'bind-failed', keyId, failure, permKeyAgeS: dc.permAgeS() })
  }
}
