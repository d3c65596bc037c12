/**
 * What to do when auth.bindTempAuthKey fails (pfs-and-errors.md §2, api/pfs).
 * A perm key is declared dead only after the evidence proved it (perm-key-verdict.ts),
 * with a trustworthy clock: dropping it logs the user out, so a guess is never enough.
 */
import { backoffMs } from './jitter.ts'
import type { PermVerdict } from './perm-key-verdict.ts'

export type BindFailure =
  | { kind: 'rpc-error'; code: number; message: string }
  /** boolFalse instead of boolTrue (TDLib treats it as a failure). */
  | { kind: 'bool-false' }

export interface BindContext {
  /** Seconds since the perm key was created; null when unknown (a key loaded from storage). */
  permKeyAgeS: number | null
  /** 1 for the first failure of this bind, 2 for the next… */
  attempt: number
  clock: 'synced' | 'unsynced'
  /** The perm-key verdict reached for this failure, once one was asked for. */
  permVerdict: 'none' | PermVerdict
}

export type BindDecision =
  | { action: 'retry-bind'; delayMs: number }
  | { action: 'resync-time-and-retry' }
  | { action: 'new-temp-key' }
  /** Weigh the evidence on the perm key before believing it is gone (perm-key-verdict). */
  | { action: 'judge-perm-key' }
  /** Proven dead: drop perm + temp keys; the runtime reports loggedOut and stops. */
  | { action: 'drop-perm-key' }
  | { action: 'report'; code: string | number }

export interface BindRetryConfig {
  /** api/pfs: ENCRYPTED_MESSAGE_INVALID with a perm key younger than this is retried. */
  freshPermKeyS: number
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** The bind's connection dropped unanswered: bind again this often, backing off. */
  maxRebindsOnDrop: number
  rebindBaseDelayMs: number
  rebindMaxDelayMs: number
  /** A bind request with no answer after this is given up by the connection (the policy's step timeout follows). */
  answerTimeoutMs: number
}

export const DEFAULT_BIND_RETRY: BindRetryConfig = {
  freshPermKeyS: 60,
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRebindsOnDrop: 4,
  rebindBaseDelayMs: 250,
  rebindMaxDelayMs: 4_000,
  answerTimeoutMs: 25_000,
}

export function onBindError(
  failure: BindFailure,
  ctx: BindContext,
  rand: () => number,
  config: BindRetryConfig = DEFAULT_BIND_RETRY,
): BindDecision {
  if (failure.kind === 'bool-false') return ctx.attempt < config.maxAttempts ? { action: 'new-temp-key' } : { action: 'report', code: 'BIND_FALSE' }
  const { code, message } = failure
  if (isServerSide(code)) {
    return ctx.attempt < config.maxAttempts ? { action: 'retry-bind', delayMs: backoff(ctx.attempt, rand, config) } : { action: 'report', code }
  }
  switch (message) {
    case 'ENCRYPTED_MESSAGE_INVALID':
      return onEncryptedMessageInvalid(ctx, rand, config)
    case 'TEMP_AUTH_KEY_EMPTY':
    case 'TEMP_AUTH_KEY_ALREADY_BOUND':
      return ctx.attempt < config.maxAttempts ? { action: 'new-temp-key' } : { action: 'report', code: message }
    case 'EXPIRES_AT_INVALID':
      // §2: recompute from server time; if it still fails, a new temp key. `attempt` counts
      // every failure of this key: after earlier 500s the key is near its expiry and the
      // bind fails because of it, which a new key cures as well (never a refusal of calls).
      if (ctx.attempt === 1) return { action: 'resync-time-and-retry' }
      return ctx.attempt < config.maxAttempts ? { action: 'new-temp-key' } : { action: 'report', code: message }
    default:
      return { action: 'report', code: message }
  }
}

function onEncryptedMessageInvalid(ctx: BindContext, rand: () => number, config: BindRetryConfig): BindDecision {
  if (ctx.permVerdict === 'alive') return { action: 'new-temp-key' }
  if (ctx.permVerdict === 'dead') {
    // TDLib: no drop while server time is unreliable; the verdict may be the clock's fault
    return ctx.clock === 'synced' ? { action: 'drop-perm-key' } : { action: 'resync-time-and-retry' }
  }
  const fresh = ctx.permKeyAgeS !== null && ctx.permKeyAgeS <= config.freshPermKeyS
  if (fresh && ctx.attempt < config.maxAttempts) return { action: 'retry-bind', delayMs: backoff(ctx.attempt, rand, config) }
  return { action: 'judge-perm-key' }
}

/** -503 Timeout, 500, and the codes api/errors says to read as 500. */
function isServerSide(code: number): boolean {
  return code === -503 || code === 500 || code === 0 || code < -9999 || code > 9999
}

function backoff(attempt: number, rand: () => number, config: BindRetryConfig): number {
  return Math.round(backoffMs(attempt, config.baseDelayMs, config.maxDelayMs, rand))
}
