/**
 * A DC's timers: named ones (re-arming a name replaces it), sleeps, and the stop that ends
 * them all, so nothing a DC armed outlives its close(). Delays are bounded and a name's
 * re-arming rate-limited (dc/timer-delay, issue #18). The one owner of the DC's timer
 * handles.
 */
import type { EngineEnv } from '../../env.ts'
import { EngineError } from '../../errors.ts'
import { MIN_REARM_MS, rearmDelay } from './timer-delay.ts'

export class DcTimers {
  readonly #armed = new Map<string, () => void>()
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

  /** Arms the named timer, replacing it; none once stopped. */
  later(name: string, ms: number, fn: () => void): void {
    this.cancel(name)
    if (this.#stopping.signal.aborted) return
    const now = this.#env.clock.now()
    for (const [n, at] of this.#firedAt) if (now - at >= MIN_REARM_MS) this.#firedAt.delete(n)
    const cancel = this.#env.setTimer(rearmDelay(ms, this.#firedAt.get(name) ?? null, now), () => {
      this.#armed.delete(name)
      this.#firedAt.set(name, this.#env.clock.now())
      this.#beforeFire()
      if (!this.#stopping.signal.aborted) fn()
    })
    this.#armed.set(name, cancel)
  }

  cancel(name: string): void {
    this.#armed.get(name)?.()
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
    for (const cancel of this.#armed.values()) cancel()
    this.#armed.clear()
  }
}
