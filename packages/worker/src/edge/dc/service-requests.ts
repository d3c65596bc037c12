/**
 * Requests the runtime itself makes on a lane (auth.bindTempAuthKey): answered by
 * rpc_result outside the call outbox, resent under a new msg_id after bad_msg or
 * bad_server_salt, failed when the lane goes down, bounded by a deadline.
 */
import type { TlObject } from '@pfs-web/tl/client'
import type { EngineEnv } from '../../env.ts'
import { EngineError } from '../../errors.ts'
import type { Lane } from './lane.ts'

interface Wait {
  lane: Lane
  settle(result: TlObject | Error): void
  resend(): void
}

export class ServiceRequests {
  readonly #waits = new Map<bigint, Wait>()
  readonly #held = new Set<Wait>()

  readonly #env: EngineEnv

  constructor(env: EngineEnv) {
    this.#env = env
  }

  /** Sends `body` (built for its msg_id) and resolves with the rpc_result's result. */
  request(lane: Lane, body: (msgId: bigint) => Uint8Array, timeoutMs: number): Promise<TlObject> {
    return new Promise<TlObject>((resolve, reject) => {
      let msgId: bigint | null = null
      const settle = (r: TlObject | Error): void => {
        cancel()
        if (msgId !== null) this.#waits.delete(msgId)
        if (r instanceof Error) reject(r)
        else resolve(r)
      }
      const cancel = this.#env.setTimer(timeoutMs, () => settle(new EngineError('TIMEOUT', 'service request timed out')))
      const send = (): void => {
        if (msgId !== null) this.#waits.delete(msgId)
        lane.send([{ kind: 'rpc-query', body }]).then(
          ([s]) => {
            if (!s) return
            msgId = s.msgId
            this.#waits.set(s.msgId, { lane, settle, resend: send })
            lane.stallEvent({ type: 'sent-request' })
          },
          (err: unknown) => settle(err instanceof Error ? err : new EngineError('SEND_FAILED', String(err))),
        )
      }
      send()
    })
  }

  /** An rpc_result: true when it answered one of ours. */
  answer(reqMsgId: bigint, result: TlObject): boolean {
    const w = this.#waits.get(reqMsgId)
    w?.settle(result)
    return w !== undefined
  }

  /** bad_msg_notification / bad_server_salt naming one of ours: send it again. */
  resend(badMsgId: bigint): void {
    this.#waits.get(badMsgId)?.resend()
  }

  /** A 16/17 naming one of ours whose own msg_id carries no clock: resent at the next good sync. */
  holdForClock(badMsgId: bigint): void {
    const w = this.#waits.get(badMsgId)
    if (w) this.#held.add(w)
  }

  /** The clock took a good time: the requests held for it go out again. */
  clockSynced(): void {
    const held = [...this.#held]
    this.#held.clear()
    for (const w of held) if ([...this.#waits.values()].includes(w)) w.resend()
  }

  pendingOn(lane: Lane): boolean {
    for (const w of this.#waits.values()) if (w.lane === lane) return true
    return false
  }

  failLane(lane: Lane, error: Error): void {
    for (const w of [...this.#waits.values()]) if (w.lane === lane) w.settle(error)
  }
}
