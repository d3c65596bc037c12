/**
 * Server time in seconds (fractional). Everything that asks "what time is it" goes
 * through this so tests can drive expiry and the clock-offset fault can skew answers.
 */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() / 1000 }

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private seconds: number) {}
  now(): number {
    return this.seconds
  }
  advance(seconds: number): void {
    this.seconds += seconds
  }
}

/** The base clock plus the fault-injected offset, read on every call. */
export function offsetClock(base: Clock, offset: () => number): Clock {
  return { now: () => base.now() + offset() }
}
