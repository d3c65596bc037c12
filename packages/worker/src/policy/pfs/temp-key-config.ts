/**
 * The temp-key policy's whole timing, in one place (issue #12): lifetimes, renewal and
 * unusable margins, step timeouts, background-handshake pacing, storm and bind retries.
 * `resolveOptions` (edge/dc/options.ts) derives a DC's config from the embedder's options.
 */
import { drawUnit } from './jitter.ts'
import type { BindRetryConfig } from './bind-errors.ts'
import type { StormConfig } from './storm-control.ts'

export interface TempKeyConfig {
  /** expires_in is drawn uniformly from [min, max] (TDLib: 23–24 h). */
  minLifetimeS: number
  maxLifetimeS: number
  /** TDLib renews 2 h and stops using 1 h before expiry; short keys use a fraction instead. */
  renewMarginS: number
  unusableMarginS: number
  renewFraction: number
  unusableFraction: number
  /** A handshake or bind with no answer after this is a failure. */
  stepTimeoutMs: number
  /**
   * A planned rotation's handshake may run in the background (yielding to the calls) when
   * the current key stays usable at least `backgroundMinSlackS` more (a background
   * handshake takes ~0.3–0.6 s of wall time with 5 s test keys), and turns to full speed
   * `backgroundMarginS` before that key becomes unusable.
   */
  backgroundMinSlackS: number
  backgroundMarginS: number
  /**
   * A background handshake's maths runs in slices this long with this pause between them:
   * ~6 % of a core, so the calls beside it keep their latency (issue #6: rotation-window
   * p99 within 10 % of steady state, `pnpm bench:rotation`).
   */
  backgroundSliceMs: number
  backgroundPauseMs: number
  storm?: StormConfig
  bind?: BindRetryConfig
}

export const DEFAULT_TEMP_KEY_CONFIG: TempKeyConfig = {
  minLifetimeS: 82_800,
  maxLifetimeS: 86_400,
  renewMarginS: 7_200,
  unusableMarginS: 3_600,
  renewFraction: 0.5,
  unusableFraction: 0.2,
  stepTimeoutMs: 30_000,
  backgroundMinSlackS: 1,
  backgroundMarginS: 0.5,
  backgroundSliceMs: 0.5,
  backgroundPauseMs: 8,
}

/** Renew this long before expiry at most, when the embedder names no margin. */
const DEFAULT_RENEW_MARGIN_S = 600

/**
 * The config for keys living [lo, hi] s, renewed `renewMarginS` before expiry (default: 10 min,
 * or a quarter of the shortest life for short keys).
 */
export function tempKeyConfigFor([lo, hi]: readonly [number, number], renewMarginS?: number): TempKeyConfig {
  const margin = renewMarginS ?? Math.min(DEFAULT_RENEW_MARGIN_S, Math.floor(lo / 4))
  return {
    ...DEFAULT_TEMP_KEY_CONFIG,
    minLifetimeS: lo,
    maxLifetimeS: hi,
    renewMarginS: margin,
    // stop using a key half-way between the renewal point and expiry, at most 1 h before;
    // not rounded down: a 5 s key's 1 s margin must leave it 0.5 s, not 0 (issue #11)
    unusableMarginS: Math.min(DEFAULT_TEMP_KEY_CONFIG.unusableMarginS, margin / 2),
  }
}

export function pickLifetimeS(config: TempKeyConfig, rand: () => number): number {
  return config.minLifetimeS + Math.floor(drawUnit(rand) * (config.maxLifetimeS - config.minLifetimeS + 1))
}
