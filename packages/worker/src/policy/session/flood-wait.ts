/**
 * 420 FLOOD_WAIT_X / FLOOD_PREMIUM_WAIT_X answering a call (api/errors: "a wait of X
 * seconds is required"): the call is sent again X seconds later, the server's X and not
 * a local guess, while that is within the embedder's cap, the call's own deadline and a
 * few tries; otherwise the caller gets the error with X to decide for itself.
 */

/** Tries a call gets after flood waits before the error is its answer (mtcute's maxRetries). */
export const FLOOD_WAIT_RETRIES = 5

/** The cap when the embedder sets none, seconds (GramJS's floodSleepThreshold). */
export const DEFAULT_FLOOD_WAIT_MAX_S = 60

export interface FloodWait {
  /** X from the error. */
  seconds: number
  /** Flood waits this call already waited out. */
  waited: number
  /** The call's deadline, local ms. */
  deadlineAt: number
  /** WorkerOptions.floodWaitMaxS. */
  maxS: number
}

export type FloodWaitDecision =
  | { retry: true; notBefore: number }
  | { retry: false; why: 'above-cap' | 'past-deadline' | 'too-many' }

export function onFloodWait(wait: FloodWait, now: number): FloodWaitDecision {
  if (wait.seconds > wait.maxS) return { retry: false, why: 'above-cap' }
  if (wait.waited >= FLOOD_WAIT_RETRIES - 1) return { retry: false, why: 'too-many' }
  const notBefore = now + wait.seconds * 1000
  if (notBefore >= wait.deadlineAt) return { retry: false, why: 'past-deadline' }
  return { retry: true, notBefore }
}
