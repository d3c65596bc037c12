/**
 * API calls of one DC, driven through the pure session/outbox registry: queueing, the PFS
 * gate, the initConnection prefix, per-call deadlines, cancel, resends after bad_msg / lost
 * sessions / lost keys, and rpc_error handling by pfs/rpc-errors.
 */
import { FloodWaitError, PfsError, RpcError } from '@pfs-web/errors'
import { GZIP_MAX_BYTES_DEFAULT, gzipUnpack, serializeObject, type InflateBudget, type TlObject } from '@pfs-web/tl/client'
import { EngineError } from '../../errors.ts'
import { onRpcError } from '../../policy/pfs/rpc-errors.ts'
import { onFloodWait } from '../../policy/session/flood-wait.ts'
import { Outbox, type CallId, type OutboxAction, type OutboxEvent } from '../../policy/session/outbox.ts'
import { pack, stepFlush, type FlushEvent, type FlushState } from '../../policy/session/batch.ts'
import { gate, type BindPhase } from '../../policy/pfs/gate.ts'
import type { Lane, Outgoing } from './lane.ts'
import type { KeyEvent } from '../../api.ts'
import type { DcHooks } from './dc-hooks.ts'
import type { KeyHandle } from '../../keys/key-store.ts'

export interface CallHost {
  now(): number
  /** The env's timer: 0 ms is one macrotask, the turn in which calls are batched. */
  setTimer(ms: number, fn: () => void): () => void
  /** The lane new calls go out on, or null while there is none. */
  trafficLane(): Lane | null
  bindPhase(): BindPhase
  /** invokeWithLayer(layer, initConnection(app..., query)). */
  wrapInit(query: Uint8Array): Uint8Array
  /** 401 AUTH_KEY_PERM_EMPTY: the key is not bound after all. */
  onNotBound(lane: Lane): void
  /** The last in-flight call on a key has left. */
  onDrained(keyId: string): void
  /** Shared by every DC of the engine: gzip answers in flight inflate within it. */
  readonly inflateBudget: InflateBudget
  readonly options: { readonly floodWaitMaxS: number }
  /** Where a flood wait is reported (the logger's 'flood-wait'). */
  readonly hooks: Pick<DcHooks, 'keyEvent'>
  event(kind: KeyEvent['kind'], key: KeyHandle | null, detail?: string): KeyEvent
}

interface CallRecord {
  request: Uint8Array
  method: string
  externalId: string | undefined
  resolve(bytes: Uint8Array): void
  reject(err: Error): void
  /** Sent with the initConnection prefix: its answer proves the connection initialised. */
  wrapped: boolean
  deadlineAt: number
  /** Flood waits this call waited out (policy/session/flood-wait). */
  floodWaits: number
  outcome?: { ok: true; bytes: Uint8Array } | { ok: false; error: Error }
}

const RETRY_LATER_MS = 1_000

export class CallDriver {
  readonly #outbox = new Outbox()
  readonly #records = new Map<CallId, CallRecord>()
  readonly #byExternal = new Map<string, CallId>()
  #nextId = 1
  #flushing = false
  #flushAgain = false
  #flushState: FlushState = 'idle'
  #cancelFlush: (() => void) | null = null
  #timer: { at: number; cancel: () => void } | null = null

  readonly #host: CallHost

  constructor(host: CallHost) {
    this.#host = host
  }

  invoke(request: Uint8Array, method: string, timeoutMs: number, externalId?: string): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const id = this.#nextId++
      const deadlineAt = this.#host.now() + timeoutMs
      this.#records.set(id, { request, method, externalId, resolve, reject, wrapped: false, deadlineAt, floodWaits: 0 })
      if (externalId !== undefined) this.#byExternal.set(externalId, id)
      this.step({ type: 'enqueue', callId: id, deadlineAt })
      this.flush()
    })
  }

  cancel(externalId: string): void {
    const id = this.#byExternal.get(externalId)
    if (id !== undefined) this.step({ type: 'cancel', callId: id })
  }

  inFlightOn(keyId: string): number {
    return this.#outbox.inFlightOn(keyId)
  }

  /** inFlightOn(keyId) > 0, stopping at the first: asked for every packet received. */
  anyInFlightOn(keyId: string): boolean {
    return this.#outbox.anyInFlightOn(keyId)
  }

  get pending(): number {
    return this.#outbox.size
  }

  /** Forwards a session event (bad_msg, new_session_created, lost session or key). */
  step(event: OutboxEvent): void {
    this.#run(this.#outbox.step(event, this.#host.now()))
  }

  /** An rpc_result. Returns false when no call of ours has that msg_id. */
  async onResult(lane: Lane, reqMsgId: bigint, result: TlObject): Promise<boolean> {
    const id = this.#outbox.callFor(reqMsgId)
    const rec = id === null ? undefined : this.#records.get(id)
    if (id === null || !rec) return false
    lane.initEvent({ type: 'answered', wrapped: rec.wrapped })
    if (result._ === 'rpc_error') return this.#onRpcError(lane, id, rec, result.error_code, result.error_message, reqMsgId)
    let bytes: Uint8Array
    try {
      bytes = result._ === 'raw' ? result.bytes : result._ === 'gzip_packed' ? await gzipUnpack(result.packed_data, GZIP_MAX_BYTES_DEFAULT, this.#host.inflateBudget) : serializeObject(result)
      rec.outcome = { ok: true, bytes }
    } catch (err) {
      rec.outcome = { ok: false, error: err instanceof Error ? err : new EngineError('BAD_RESULT', String(err)) }
    }
    this.step({ type: 'answer', msgId: reqMsgId })
    return true
  }

  /** Rejects every call (close, logout). */
  failAll(error: PfsError): void {
    for (const [id, rec] of [...this.#records]) {
      rec.outcome = { ok: false, error }
      this.step({ type: 'cancel', callId: id })
    }
  }

  /**
   * Sends what is ready at the end of this turn (session/batch): every call issued before
   * the macrotask fires leaves in the same flush, packed into containers.
   */
  flush(): void {
    this.#flushEvent({ type: 'wanted' })
  }

  #flushEvent(event: FlushEvent): void {
    const { state, actions } = stepFlush(this.#flushState, event)
    this.#flushState = state
    for (const a of actions) {
      if (a.type === 'arm-macrotask') {
        this.#cancelFlush = this.#host.setTimer(0, () => {
          this.#cancelFlush = null
          this.#flushEvent({ type: 'fired' })
        })
      } else {
        this.#flushNow()
      }
    }
  }

  /**
   * Sends what is ready now. A flush asked for while one runs is never lost (issue #18): the
   * running loop sees it, or, when the loop already returned (its exit and this promise's
   * settling are a microtask apart, and a bad_msg 16/17 requeues its call in that gap),
   * the flush starts again as soon as the loop has let go.
   */
  #flushNow(): void {
    if (this.#flushing) {
      this.#flushAgain = true
      return
    }
    this.#flushing = true
    void this.#flushLoop().finally(() => {
      this.#flushing = false
      if (this.#flushAgain) this.#flushNow()
    })
  }

  async #flushLoop(): Promise<void> {
    do {
      this.#flushAgain = false
      const lane = this.#host.trafficLane()
      const phase = this.#host.bindPhase()
      const ready: { id: CallId; body: Uint8Array }[] = []
      for (const id of this.#outbox.ready(this.#host.now())) {
        const rec = this.#records.get(id)
        if (!rec) continue
        const verdict = gate(rec.method, phase)
        if (verdict === 'hold') continue
        if (verdict === 'refuse') {
          rec.outcome = { ok: false, error: new EngineError('NOT_BOUND', `${rec.method} needs a bound temp key`) }
          this.step({ type: 'cancel', callId: id })
          continue
        }
        if (!lane?.isUp) continue
        rec.wrapped = lane.needsInit
        ready.push({ id, body: rec.wrapped ? this.#host.wrapInit(rec.request) : rec.request })
      }
      if (ready.length === 0 || !lane) return
      for (const packet of pack(ready.map((r) => ({ id: r, bytes: r.body.length })))) {
        // a call cancelled or answered while an earlier packet was sealed stays behind
        const live = packet.filter((r) => this.#records.has(r.id) && this.#outbox.stateOf(r.id)?.kind === 'queued')
        if (live.length === 0) continue
        try {
          // the msg_ids are recorded before the packet leaves: its answer may come at once
          await lane.send(live.map((r): Outgoing => ({ kind: 'rpc-query', body: r.body })), (sent) => {
            for (const [i, s] of sent.entries()) {
              const callId = (live[i] as { id: CallId }).id
              if (!this.#records.has(callId)) continue
              this.step({ type: 'sent', callId, msgId: s.msgId, containerId: s.containerId, keyId: lane.key.idHex, sessionId: s.sessionId })
            }
            lane.stallEvent({ type: 'sent-request' })
          })
        } catch {
          // The lane went down: calls it did not number stay queued, and those it did are
          // requeued by the session loss, to go out when traffic resumes.
          return
        }
      }
    } while (this.#flushAgain)
  }

  #onRpcError(lane: Lane, id: CallId, rec: CallRecord, code: number, message: string, reqMsgId: bigint): boolean {
    const decision = onRpcError(code, message)
    const now = this.#host.now()
    switch (decision.action) {
      case 'rebind-and-resend':
        this.step({ type: 'retry', callId: id, notBefore: now })
        this.#host.onNotBound(lane)
        return true
      case 'resend-with-init':
        lane.initEvent({ type: 'not-inited' })
        this.step({ type: 'retry', callId: id, notBefore: now })
        return true
      case 'retry-later':
        this.step({ type: 'retry', callId: id, notBefore: now + RETRY_LATER_MS })
        return true
      case 'flood-wait': {
        const { seconds } = decision
        const wait = onFloodWait({ seconds, waited: rec.floodWaits, deadlineAt: rec.deadlineAt, maxS: this.#host.options.floodWaitMaxS }, now)
        const event = this.#host.event('flood-wait', lane.key, wait.retry ? rec.method : `${rec.method}: ${wait.why}`)
        this.#host.hooks.keyEvent({ ...event, seconds })
        if (wait.retry) {
          rec.floodWaits++
          this.step({ type: 'retry', callId: id, notBefore: wait.notBefore })
          return true
        }
        rec.outcome = { ok: false, error: new FloodWaitError(code, message) }
        this.step({ type: 'answer', msgId: reqMsgId })
        return true
      }
      default:
        break
    }
    rec.outcome = { ok: false, error: new RpcError(code, message) }
    this.step({ type: 'answer', msgId: reqMsgId })
    return true
  }

  #run(actions: OutboxAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'deliver':
        case 'cancelled':
        case 'fail':
          this.#settle(a)
          break
        case 'resend':
          this.flush()
          break
        case 'drained':
          this.#host.onDrained(a.keyId)
          break
        case 'schedule':
          this.#schedule(a.atMs)
          break
        case 'ignored':
          break
      }
    }
  }

  #settle(a: Extract<OutboxAction, { type: 'deliver' | 'cancelled' | 'fail' }>): void {
    const rec = this.#records.get(a.callId)
    if (!rec) return
    this.#records.delete(a.callId)
    if (rec.externalId !== undefined) this.#byExternal.delete(rec.externalId)
    if (a.type === 'fail') {
      rec.reject(new EngineError(a.code, `${rec.method}: ${a.code}`))
      return
    }
    const outcome = rec.outcome ?? { ok: false, error: new EngineError('CANCELLED', `${rec.method} cancelled`) }
    if (outcome.ok) rec.resolve(outcome.bytes)
    else rec.reject(outcome.error)
  }

  #schedule(atMs: number): void {
    if (this.#timer && this.#timer.at <= atMs) return
    this.#timer?.cancel()
    const cancel = this.#host.setTimer(Math.max(0, atMs - this.#host.now()), () => {
      this.#timer = null
      this.step({ type: 'tick' })
      this.flush()
    })
    this.#timer = { at: atMs, cancel }
  }

  dispose(): void {
    this.#timer?.cancel()
    this.#timer = null
    this.#cancelFlush?.()
    this.#cancelFlush = null
  }
}
