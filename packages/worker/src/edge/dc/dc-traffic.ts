/**
 * Which key carries a DC's calls, as the temp-key policy switches it, and who waits for
 * that: `connect()` until a bound key carries traffic, `rotate()` until traffic has left the
 * key it was asked from. Each waiter is settled once, by a switch, a failure or a stop.
 */
import type { KeyEvent } from '../../api.ts'
import { EngineError } from '../../errors.ts'
import type { KeyHandle } from '../../keys/key-store.ts'
import type { TempKeyAction } from '../../policy/pfs/key-slots.ts'
import type { TempKeyEvent } from '../../policy/pfs/temp-key-policy.ts'
import type { DcReport } from './dc-report.ts'

type SwitchTraffic = Extract<TempKeyAction, { type: 'switch-traffic' }>

interface Waiter {
  resolve(): void
  reject(err: Error): void
}

export interface TrafficHost {
  readonly dcId: number
  readonly report: Pick<DcReport, 'countSwitch' | 'setError'>
  /** null while running; how the DC stopped otherwise. */
  stopped(): 'closed' | 'logged-out' | null
  /** The key id of the lane carrying calls, when it is bound; null otherwise. */
  boundKeyId(): string | null
  /** The first connect(): load or make the perm key, in parallel with the temp handshake (pfs §1.1). */
  start(): void
  stepTempKeys(event: TempKeyEvent): void
  /** Points new calls at this key's lane; the lane's key, or null when there is none. */
  switchLane(keyId: string | null): KeyHandle | null
  keyEvent(kind: KeyEvent['kind'], key: KeyHandle, detail?: string): void
  /** Traffic has a key: keep its connection alive and send what waited. */
  resume(): void
  flushCalls(): void
}

export class DcTraffic {
  #started = false
  #connecting: Waiter[] = []
  #rotating: (Waiter & { from: string })[] = []

  readonly #dc: TrafficHost

  constructor(dc: TrafficHost) {
    this.#dc = dc
  }

  get hasStarted(): boolean {
    return this.#started
  }

  /** Resolves once a bound temp key carries traffic; rejects when binding failed for good. */
  connect(): Promise<void> {
    const dc = this.#dc
    const stopped = dc.stopped()
    if (stopped === 'closed') return Promise.reject(new EngineError('CLOSED', 'engine closed'))
    if (stopped === 'logged-out') return Promise.reject(new EngineError('LOGGED_OUT', `DC ${dc.dcId} logged out`))
    if (dc.boundKeyId() !== null) return Promise.resolve()
    const bound = new Promise<void>((resolve, reject) => this.#connecting.push({ resolve, reject }))
    if (!this.#started) {
      this.#started = true
      dc.start()
    }
    dc.stepTempKeys({ type: 'connect' })
    return bound
  }

  /** Resolves when traffic has moved to a new temp key (policy/pfs/temp-key-policy rotate-now). */
  async rotate(): Promise<void> {
    await this.connect()
    const from = this.#dc.boundKeyId()
    if (from === null) throw new EngineError('NOT_BOUND', 'no traffic key')
    const done = new Promise<void>((resolve, reject) => this.#rotating.push({ from, resolve, reject }))
    this.#dc.stepTempKeys({ type: 'rotate-now' })
    await done
  }

  /** The policy's switch-traffic: new calls go to this key (null: hold them); its cause is counted. */
  switched(a: SwitchTraffic): void {
    const dc = this.#dc
    if (a.keyId === null) {
      dc.switchLane(null)
      return
    }
    const key = dc.switchLane(a.keyId)
    if (!key) return
    dc.report.countSwitch(a.cause)
    if (a.cause === 'recovery') dc.keyEvent('recovered', key)
    else if (a.cause === 'rotation') dc.keyEvent('rotated', key, `replaces ${a.replaced}`)
    dc.resume()
    for (const w of this.#connecting.splice(0)) w.resolve()
    this.#rotating = this.#rotating.filter((w) => (w.from === key.idHex ? true : (w.resolve(), false)))
    dc.flushCalls()
  }

  /** The policy reported a bind failure it will not retry at once: connect() fails if no key carries traffic. */
  bindReported(code: string | number, trafficHasKey: boolean): void {
    this.#dc.report.setError(new EngineError(String(code), 'temp key bind failed'))
    if (trafficHasKey) return
    this.failConnect(new EngineError('NOT_BOUND', `bind failed: ${code}`))
    this.#dc.flushCalls()
  }

  failConnect(err: Error): void {
    for (const w of this.#connecting.splice(0)) w.reject(err)
  }

  /** The DC stopped: every waiter fails with `reason`. */
  stop(reason: Error): void {
    this.failConnect(reason)
    for (const w of this.#rotating.splice(0)) w.reject(reason)
  }
}
