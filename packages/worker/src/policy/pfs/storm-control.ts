/**
 * Re-handshake budget for one DC (pfs-and-errors.md §1.7: every -404 asks for a new
 * temp key; a server that keeps answering -404 must not turn that into a handshake
 * loop). Two limits on *failure-driven* starts (those asked for between a failure and the
 * next successful bind): backoff with jitter after each failure, and a sliding window of
 * at most `maxPerWindow` such starts per `windowMs` whatever the backoff says. Planned
 * starts (renewing a bound key, or the first connect) are neither limited nor counted:
 * counting them let a burst of healthy rotations of short keys use up the window, so the
 * first -404 after it found no budget and traffic starved (issue #11). A bind that holds
 * for `stableAfterMs` clears the failure count.
 *
 * The first failure waits only a short random spread (`firstRetryJitterMs`): one lost key
 * is the common case (a server restart) and its calls wait for the new key, while the
 * spread still keeps every client of a restarted server from handshaking in the same
 * instant. Exponential backoff starts at the second failure in a row.
 */
import { backoffMs, drawUnit } from './jitter.ts'

export interface StormConfig {
  windowMs: number
  maxPerWindow: number
  baseBackoffMs: number
  maxBackoffMs: number
  stableAfterMs: number
  firstRetryJitterMs: number
}

export const DEFAULT_STORM_CONFIG: StormConfig = {
  windowMs: 60_000,
  maxPerWindow: 6,
  baseBackoffMs: 1_000,
  // 8–16 s between attempts in a long outage: the window already caps the rate at 6 a
  // minute, and a longer wait would only delay recovery once the server is back.
  maxBackoffMs: 16_000,
  stableAfterMs: 60_000,
  firstRetryJitterMs: 250,
}

export interface StormState {
  /** `now` of each failure-driven handshake start inside the current window, oldest first. */
  readonly starts: readonly number[]
  /** A failure happened and no bind has succeeded since: the next start is failure-driven. */
  readonly retrying: boolean
  readonly failures: number
  readonly backoffUntil: number
  /** `now` of the first successful bind since the last failure. */
  readonly boundSince: number | null
}

export const CALM: StormState = { starts: [], retrying: false, failures: 0, backoffUntil: 0, boundSince: null }

export type StormEvent =
  /** May a handshake start now? Admitted requests are counted. */
  | { type: 'request' }
  /** A handshake, bind or key failed (-404, timeout, rejected bind). */
  | { type: 'failed' }
  | { type: 'bound' }

export type HandshakeCause = 'planned' | 'failure'

export type HandshakeVerdict =
  | { allowed: true; cause: HandshakeCause }
  | { allowed: false; until: number; reason: 'backoff' | 'rate-limit' }

export function stepStorm(
  state: StormState,
  event: StormEvent,
  now: number,
  rand: () => number,
  config: StormConfig = DEFAULT_STORM_CONFIG,
): { state: StormState; verdict: HandshakeVerdict | null } {
  switch (event.type) {
    case 'bound':
      return { state: { ...state, retrying: false, boundSince: state.boundSince ?? now }, verdict: null }
    case 'failed': {
      // a key that held for the stable period ended the last run of failures, even if no
      // handshake was asked for since (24 h keys rotate rarely)
      const stable = state.boundSince !== null && now - state.boundSince >= config.stableAfterMs
      const failures = (stable ? 0 : state.failures) + 1
      const delay = failures === 1 ? config.firstRetryJitterMs * drawUnit(rand) : backoffMs(failures - 1, config.baseBackoffMs, config.maxBackoffMs, rand)
      return { state: { ...state, retrying: true, failures, backoffUntil: now + delay, boundSince: null }, verdict: null }
    }
    case 'request': {
      // the same sum as the verdict's `until` below: with fractional ms, `t > now − window`
      // could keep a start at now = t + window and re-arm the wait for now (issue #11: a
      // zero-delay timer loop the simulation found)
      const starts = state.starts.filter((t) => t + config.windowMs > now)
      const stable = state.boundSince !== null && now - state.boundSince >= config.stableAfterMs
      const calm: StormState = stable ? { ...state, starts, failures: 0, backoffUntil: 0 } : { ...state, starts }
      if (!calm.retrying) return { state: calm, verdict: { allowed: true, cause: 'planned' } }
      if (now < calm.backoffUntil) return { state: calm, verdict: { allowed: false, until: calm.backoffUntil, reason: 'backoff' } }
      if (starts.length >= config.maxPerWindow) {
        return { state: calm, verdict: { allowed: false, until: (starts[0] as number) + config.windowMs, reason: 'rate-limit' } }
      }
      return { state: { ...calm, starts: [...starts, now] }, verdict: { allowed: true, cause: 'failure' } }
    }
  }
}
