/**
 * A DC's timers: named ones (re-arming a name replaces it), sleeps, and the stop that ends
 * them all, so nothing a DC armed outlives its close(). Delays are bounded and a name's
 * re-arming rate-limited (dc/timer-delay, issue #18). The one owner of the DC's timer
 * handles.
 */
import type { EngineEnv } from '../../env.ts'
import { EngineError } from '../../errors.ts'
import { MIN_REARM_MS, rearmDelay } from './timer-delay.ts'

interface Armed {
  cancel: () => void
  /** When the host timer underneath wakes. */
  wakesAt: number
  /** When `fn` is due: at or after wakesAt (a later re-arm leaves the host timer be). */
  dueAt: number
  fn: () => void
}

export class DcTimers {
  readonly #armed = new Map<string, Armed>()
  /** When each named timer last fired, kept while it still limits a re-arm. */
  readonly #firedAt = new Map<string, number>()
  readonly #stopping = new AbortController()

  /** `beforeFire`: runs first whenever a named timer fires (the DC's sleep check). */
  readonly #env: Pick<EngineEnv, 'setTimer' | 'clock'>
  readonly #beforeFire: () => void

  constructor(
    env: Pick<EngineEnv, 'setTimer' | 'clock'>,
    beforeFire: () => void,
  ) {
    this.#env = env
    this.#beforeFire = beforeFire
  }

  /** Aborted once the DC stops: handshakes and sleeps listen to it. */
  get signal(): AbortSignal {
    return this.#stopping.signal
  }

  /**
   * Arms the named timer, replacing it; none once stopped. A re-arm for the same time or
   * later keeps the host timer already armed and only moves what it is due to do: the
   * stall watch, the ack flush and the temp-key policy re-arm on every call (issue #17),
   * and a cancelled host timer per call cost more than the wake-ups it saves. A wake-up
   * before the due time arms the rest and runs nothing.
   */
  later(name: string, ms: number, fn: () => void): void {
    if (this.#stopping.signal.aborted) {
      this.cancel(name)
      return
    }
    const now = this.#env.clock.now()
    for (const [n, at] of this.#firedAt) if (now - at >= MIN_REARM_MS) this.#firedAt.delete(n)
    const delay = rearmDelay(ms, this.#firedAt.get(name) ?? null, now)
    const armed = this.#armed.get(name)
    if (armed !== undefined && armed.wakesAt <= now + delay) {
      armed.dueAt = now + delay
      armed.fn = fn
      return
    }
    this.cancel(name)
    this.#arm(name, { cancel: () => undefined, wakesAt: now + delay, dueAt: now + delay, fn }, delay)
  }

  #arm(name: string, entry: Armed, delay: number): void {
    entry.cancel = this.#env.setTimer(delay, () => {
      const now = this.#env.clock.now()
      if (now < entry.dueAt) {
        entry.wakesAt = entry.dueAt
        this.#arm(name, entry, entry.dueAt - now)
        return
      }
      this.#armed.delete(name)
      this.#firedAt.set(name, now)
      this.#beforeFire()
      if (!this.#stopping.signal.aborted) entry.fn()
    })
    this.#armed.set(name, entry)
  }

  cancel(name: string): void {
    this.#armed.get(name)?.cancel()
    this.#armed.delete(name)
  }

  /** Waits `ms`; rejects CLOSED at once when the DC stops. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const closed = (): void => reject(new EngineError('CLOSED', 'DC stopped'))
      if (this.#stopping.signal.aborted) return closed()
      const onAbort = (): void => {
        cancel()
        closed()
      }
      const cancel = this.#env.setTimer(Math.max(0, ms), () => {
        this.#stopping.signal.removeEventListener('abort', onAbort)
        resolve()
      })
      this.#stopping.signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Cancels every timer, ends every sleep, and arms nothing from now on. */
  stop(): void {
    this.#stopping.abort()
    for (const armed of this.#armed.values()) armed.cancel()
    this.#armed.clear()
  }
}
