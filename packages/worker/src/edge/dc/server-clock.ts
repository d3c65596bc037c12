/**
 * The one writer of a DC's server clock (issue #12): every change goes through
 * policy/session/msg-id `stepClock`, including a sleep the monotonic clock did not see
 * (policy/session/wall-watch), which moves the server clock on by the time slept.
 */
import type { EngineClock } from '../../env.ts'
import { serverNow, stepClock, type ClockEvent, type ServerClock } from '../../policy/session/msg-id.ts'
import { lookAtWall, startWallWatch, type WallWatch } from '../../policy/session/wall-watch.ts'

export class ServerClockKeeper {
  #clockNow: ServerClock
  #wallWatch: WallWatch

  readonly #local: EngineClock

  constructor(local: EngineClock) {
    this.#local = local
    this.#clockNow = { sync: 'unsynced', offsetS: (local.wallNow() - local.now()) / 1000 }
    this.#wallWatch = startWallWatch(local.wallNow(), local.now())
  }

  get state(): ServerClock {
    return this.#clockNow
  }

  serverNowS(): number {
    return serverNow(this.#clockNow, this.#local.now())
  }

  /** True when the clock moved. */
  step(event: ClockEvent, at: number = this.#local.now()): boolean {
    const before = this.#clockNow
    this.#clockNow = stepClock(before, event, at)
    return this.#clockNow !== before
  }

  /** True when the wall clock ran while the monotonic one did not (a sleep): the clock moved on. */
  noticeSleep(): boolean {
    const { watch, sleptMs } = lookAtWall(this.#wallWatch, this.#local.wallNow(), this.#local.now())
    this.#wallWatch = watch
    if (sleptMs === 0) return false
    this.step({ type: 'slept', seconds: sleptMs / 1000 })
    return true
  }
}
