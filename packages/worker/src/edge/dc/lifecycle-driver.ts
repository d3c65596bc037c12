/**
 * Performs policy/session/lifecycle for the whole engine: one state (online, last check),
 * stepped by the page's and the worker's events, by reconnect() and by a DC that saw a
 * sleep; each action goes to every started connection. The DCs read `online` before they
 * open a socket.
 */
import { AWAKE, stepLifecycle, type LifecycleAction, type LifecycleEvent } from '../../policy/session/lifecycle.ts'

/** What a DC asks of the network before it opens a socket. */
export interface NetworkGate {
  readonly online: boolean
}

export class LifecycleDriver implements NetworkGate {
  #state = AWAKE

  readonly #now: () => number
  readonly #perform: (action: LifecycleAction) => void

  constructor(now: () => number, perform: (action: LifecycleAction) => void) {
    this.#now = now
    this.#perform = perform
  }

  get online(): boolean {
    return this.#state.online
  }

  step(event: LifecycleEvent): void {
    const { state, actions } = stepLifecycle(this.#state, event, this.#now())
    this.#state = state
    for (const a of actions) this.#perform(a)
  }
}
