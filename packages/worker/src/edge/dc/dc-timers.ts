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
  /** Each armed timer's cancel, the local ms it fires at, and what it runs (a keepEarlier re-arm swaps it). */
  readonly #armed = new Map<string, [cancel: () => void, at: number, fn: () => void]>()
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
   * Arms the named timer, replacing it; none once stopped. With `keepEarlier`, a timer of
   * that name armed to fire no later stays, to run `fn` instead: for checks that look at
   * their state when they fire and arm again if early (the ack flush, the stall watch),
   * which re-armed for every call at a clearTimeout and a setTimeout each (issue #17).
   */
  later(name: string, ms: number, fn: () => void, keepEarlier = false): void {
    const now = this.#env.clock.now()
    const kept = this.#armed.get(name)
    if (keepEarlier && kept && kept[1] <= now + ms) {
      kept[2] = fn
      return
    }
    this.cancel(name)
    if (this.#stopping.signal.aborted) return
    for (const [n, at] of this.#firedAt) if (now - at >= MIN_REARM_MS) this.#firedAt.delete(n)
    const delay = rearmDelay(ms, this.#firedAt.get(name) ?? null, now)
    const armed: [() => void, number, () => void] = [
      this.#env.setTimer(delay, () => {
        this.#armed.delete(name)
        this.#firedAt.set(name, this.#env.clock.now())
        this.#beforeFire()
        if (!this.#stopping.signal.aborted) armed[2]()
      }),
      now + delay,
      fn,
    ]
    this.#armed.set(name, armed)
  }

  cancel(name: string): void {
    this.#armed.get(name)?.[0]()
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
    for (const [cancel] of this.#armed.values()) cancel()
    this.#armed.clear()
  }
}
