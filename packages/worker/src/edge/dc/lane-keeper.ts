/**
 * Keeps a DC's lanes working (the LaneOwner every Lane reports to): reconnects a dropped
 * connection with the retry policy's backoff, arms the ack-flush and stall timers, asks for
 * salts, pings the traffic lane, and hands each received message to dispatch and each
 * -404 to the DC.
 */
import { TransportError } from '@pfs-web/errors'
import { serializeObject } from '@pfs-web/tl/client'
import type { EngineEnv } from '../../env.ts'
import { reconnectDelayMs } from '../../policy/pfs/retry-policy.ts'
import { KEEPALIVE, pingsLane, reopensAtOnce, type LaneRole } from '../../policy/session/keepalive.ts'
import type { StallConfig } from '../../policy/session/stall-watch.ts'
import type { CallDriver } from './calls.ts'
import type { DcHooks } from './dc-hooks.ts'
import type { KeyEvent } from '../../api.ts'
import type { KeyHandle } from '../../keys/key-store.ts'
import type { Lane, LaneOwner, Received } from './lane.ts'
import { randomLong } from './mt-session.ts'
import type { ServiceRequests } from './service-requests.ts'

export interface LaneKeeperHost {
  readonly lanes: ReadonlyMap<string, Lane>
  /** The lane new calls go out on. */
  readonly lane: Lane | null
  readonly isStopped: boolean
  /** Main or pool connection: which lanes are pinged and reopened at once (policy/session/keepalive). */
  readonly role: LaneRole
  /** Local ms of the last call made on this connection; null before the first. */
  readonly lastCallAt: number | null
  /** Offline, no socket is reopened (policy/session/lifecycle 'hold'). */
  readonly online: boolean
  readonly stallConfig: StallConfig
  readonly calls: Pick<CallDriver, 'step' | 'flush' | 'anyInFlightOn'>
  readonly service: Pick<ServiceRequests, 'failLane' | 'pendingOn'>
  now(): number
  serverNowS(): number
  rand(): number
  /** `keepEarlier`: see dc/dc-timers later(). */
  later(name: string, ms: number, fn: () => void, keepEarlier?: boolean): void
  setError(err: unknown): void
  refreshStatus(): void
  readonly env: Pick<EngineEnv, 'random'>
  /** Where a reconnect is reported (the logger's 'reconnect'). */
  readonly hooks: Pick<DcHooks, 'keyEvent'>
  event(kind: KeyEvent['kind'], key: KeyHandle | null, detail?: string): KeyEvent
}

/** Where the keeper passes on what it does not handle itself. */
export interface LaneReports {
  /** What a received message means (dispatch). */
  message(lane: Lane, msg: Received): void
  /** The server does not know the lane's key (-404). */
  keyNotFound(lane: Lane): void
  /** The lane went down for this error (time-sync looks for a clock dispute). */
  down(error: Error): void
  /** Whether another lane's session sent `msgId` recently (msg_ids must be unique in the DC). */
  msgIdInUse(lane: Lane, msgId: bigint): boolean
}

export class LaneKeeper implements LaneOwner {
  readonly #dc: LaneKeeperHost
  readonly #reports: LaneReports
  /** Lanes closed while idle that wait for the next call to reopen (policy/session/keepalive). */
  readonly #parked = new Set<Lane>()
  /** Lanes pinged by a check (policy/session/lifecycle): they owe a sign of life until a packet comes. */
  readonly #probing = new Set<Lane>()

  constructor(
    dc: LaneKeeperHost,
    reports: LaneReports,
  ) {
    this.#dc = dc
    this.#reports = reports
  }

  get stallConfig(): StallConfig {
    return this.#dc.stallConfig
  }

  serverNowS(): number {
    return this.#dc.serverNowS()
  }

  onMessage(lane: Lane, msg: Received): void {
    this.#probing.delete(lane)
    this.#reports.message(lane, msg)
  }

  onTransportError(lane: Lane, code: number): void {
    if (code === -404) this.#reports.keyNotFound(lane)
    else lane.closeConnection(new TransportError(code, `transport error ${code}`))
  }

  /** The lane's connection dropped or carried a bad packet: requeue, reconnect with backoff. */
  onDown(lane: Lane, error: Error): void {
    const dc = this.#dc
    dc.setError(error)
    if (dc.isStopped || !dc.lanes.has(lane.key.idHex)) return
    this.#probing.delete(lane)
    const atOnce = reopensAtOnce(dc.role, this.owesAnswers(lane)) && dc.online
    dc.service.failLane(lane, error)
    dc.calls.step({ type: 'session-lost', sessionId: lane.session.sessionId })
    if (!atOnce) {
      this.#parked.add(lane)
      dc.refreshStatus()
      return
    }
    const delay = reconnectDelayMs(lane.connectionFailed(), () => dc.rand())
    dc.refreshStatus()
    dc.later(`reconnect-${lane.key.idHex}`, delay, () => void this.#reopen(lane))
    dc.hooks.keyEvent(dc.event('reconnect', lane.key, String((error as { code?: unknown }).code ?? error.name)))
    this.#reports.down(error)
  }

  isParked(lane: Lane): boolean {
    return this.#parked.has(lane)
  }

  /** A call is coming: a parked lane reopens now. */
  wake(): void {
    // cleared first: a lane that cannot reopen now (offline) parks itself again
    const parked = [...this.#parked]
    this.#parked.clear()
    for (const lane of parked) void this.#reopen(lane)
  }

  /** Online or reconnect(): every dropped lane that would reconnect at all reopens now, its backoff reset. */
  reconnect(): void {
    const dc = this.#dc
    for (const lane of dc.lanes.values()) {
      if (lane.isUp || (this.#parked.has(lane) && !reopensAtOnce(dc.role, this.owesAnswers(lane)))) continue
      this.#parked.delete(lane)
      lane.resetBackoff()
      void this.#reopen(lane)
    }
  }

  /**
   * A check: the traffic lane owes a sign of life, so the stall watch pings it and a socket
   * that stays silent (half-open after a sleep) is reopened, with no call needed to find out.
   */
  probe(): void {
    const lane = this.#dc.lane
    if (!lane?.isUp) return
    this.#probing.add(lane)
    lane.stallEvent({ type: 'sent-request' })
  }

  async #reopen(lane: Lane): Promise<void> {
    const dc = this.#dc
    if (dc.isStopped || lane.isUp || !dc.lanes.has(lane.key.idHex)) return
    // offline (policy/session/lifecycle 'hold'): no socket is tried; online reopens it
    if (!dc.online) return void this.#parked.add(lane)
    try {
      lane.initEvent({ type: 'reopened' })
      await lane.open()
    } catch {
      return // onDown scheduled the next attempt
    }
    dc.refreshStatus()
    if (lane === dc.lane) dc.calls.flush()
  }

  onSaltRefresh(lane: Lane, num: number): void {
    lane.send([{ kind: 'get-future-salts', body: serializeObject({ _: 'get_future_salts', num }) }]).catch(() => undefined)
  }

  scheduleAckFlush(lane: Lane, atMs: number): void {
    this.#dc.later(`ack-${lane.key.idHex}`, Math.max(0, atMs - this.#dc.now()), () => lane.ackEvent({ type: 'tick' }), true)
  }

  owesAnswers(lane: Lane): boolean {
    return this.#probing.has(lane) || this.#dc.calls.anyInFlightOn(lane.key.idHex) || this.#dc.service.pendingOn(lane)
  }

  msgIdInUse(lane: Lane, msgId: bigint): boolean {
    return this.#reports.msgIdInUse(lane, msgId)
  }

  /** From the first bound key on: the traffic lane is pinged now and then (policy/session/keepalive). */
  keepAlive(): void {
    const dc = this.#dc
    dc.later('ping', KEEPALIVE.intervalMs, () => {
      const lane = dc.lane
      if (lane?.isUp && pingsLane(dc.role, dc.now(), dc.lastCallAt, this.owesAnswers(lane))) {
        const body = serializeObject({ _: 'ping_delay_disconnect', ping_id: randomLong(dc.env.random), disconnect_delay: KEEPALIVE.disconnectDelayS })
        lane.send([{ kind: 'ping-delay-disconnect', body }]).catch(() => undefined)
      }
      this.keepAlive()
    })
  }

  scheduleStallCheck(lane: Lane, atMs: number): void {
    this.#dc.later(`stall-${lane.key.idHex}`, Math.max(0, atMs - this.#dc.now()), () => {
      if (this.#dc.lanes.get(lane.key.idHex) === lane) lane.stallEvent({ type: 'tick', owed: this.owesAnswers(lane) })
    }, true)
  }
}
