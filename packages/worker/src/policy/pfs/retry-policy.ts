/**
 * How long to wait before trying again, for the attempts that are not temp-key handshakes
 * (those are storm-control's): reopening a dropped connection, and making the perm key.
 * Exponential with equal jitter (jitter.ts), so clients spread out and still back off.
 */
import { backoffMs } from './jitter.ts'

/** A dropped connection is reopened for as long as its key lives, backing off to 30 s. */
export function reconnectDelayMs(attempt: number, rand: () => number): number {
  return backoffMs(attempt, 250, 30_000, rand)
}

/** A perm handshake is tried 5 times, backing off to 10 s; the user's connect() fails after that. */
export const PERM_HANDSHAKE_ATTEMPTS = 5

export type RetryDecision = { retry: true; delayMs: number } | { retry: false }

/** After failed perm handshake number `attempt` (1-based). */
export function permHandshakeRetry(attempt: number, rand: () => number): RetryDecision {
  if (attempt >= PERM_HANDSHAKE_ATTEMPTS) return { retry: false }
  return { retry: true, delayMs: backoffMs(attempt, 500, 10_000, rand) }
}
