/**
 * A fuzz case: what the hostile server does (hooks at one or more layers, each applied to
 * the first thing it matches unless it says otherwise) and what the engine is asked to do
 * meanwhile. Families draw cases from a case's own Prng stream.
 */
import type { Prng } from '../prng.ts'
import type { ServerHooks } from '../server/hooks.ts'

export type CaseAction =
  /** 1–3 calls at once, each with its own deadline. */
  | 'calls'
  /** rotateNow (a temp handshake and a bind) plus calls. */
  | 'rotate'
  /** A new engine with no stored perm key: perm and temp handshakes, bind, calls. */
  | 'fresh-engine'

export interface CaseSpec {
  family: string
  /** What was drawn, for the failure report. */
  what: string
  hooks: ServerHooks
  action: CaseAction
  /** The server's clock is this far ahead during the case. */
  skewS?: number
  /** The server closes every link as the case starts, so it meets a fresh connection. */
  dropLinks?: boolean
  /**
   * The engine may end logged out: a bind answered ENCRYPTED_MESSAGE_INVALID twice is the
   * server saying the perm key is dead (pfs §2), so dropping it is the right end.
   */
  mayLogOut?: boolean
}

export interface Family {
  name: string
  /** Relative share of the cases. */
  weight: number
  make(rng: Prng): CaseSpec
}

/**
 * Wraps a hook so it acts on the first input it does not pass over (returns non-undefined
 * for), `times` times in all, then lets everything through.
 */
export function firstN<A extends unknown[], R>(times: number, hook: (...args: A) => R | undefined): (...args: A) => R | undefined {
  let left = times
  return (...args: A) => {
    if (left <= 0) return undefined
    const out = hook(...args)
    if (out !== undefined) left--
    return out
  }
}

/** firstN(1, hook). */
export function once<A extends unknown[], R>(hook: (...args: A) => R | undefined): (...args: A) => R | undefined {
  return firstN(1, hook)
}
