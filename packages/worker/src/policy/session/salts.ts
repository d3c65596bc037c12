/**
 * Server salt store (encryption.md §5 "Salt", §6 code 48). Times are server unix
 * seconds. A salt learned from bad_server_salt / new_session_created / the handshake
 * has no known issue time, so it is assumed valid for `learnedValidityS` (TDLib uses
 * 10 min) and replaced early by get_future_salts.
 */

export interface Salt {
  salt: bigint
  validSince: number
  validUntil: number
}

export interface SaltConfig {
  learnedValidityS: number
  /** Ask for future salts when the current one has less than this left. */
  refreshMarginS: number
  /** `num` for get_future_salts (1..64). */
  futureCount: number
  /** Do not ask again while an earlier get_future_salts may still be answered. */
  requestTimeoutS: number
}

export const DEFAULT_SALT_CONFIG: SaltConfig = { learnedValidityS: 600, refreshMarginS: 60, futureCount: 32, requestTimeoutS: 30 }

export interface SaltState {
  readonly current: Salt | null
  /** Sorted by validSince ascending. */
  readonly future: readonly Salt[]
  /** Server time the last get_future_salts went out; null when none is outstanding. */
  readonly requestedAt: number | null
}

export const NO_SALT: SaltState = { current: null, future: [], requestedAt: null }

export type SaltEvent =
  | { type: 'handshake'; salt: bigint }
  | { type: 'bad-server-salt'; newSalt: bigint }
  | { type: 'new-session-created'; salt: bigint }
  | { type: 'future-salts'; salts: readonly Salt[] }
  /** The runtime sent get_future_salts. */
  | { type: 'future-salts-requested' }
  /** Time passed: promote the future salt whose time has come. */
  | { type: 'tick' }

export type SaltDecision =
  | { salt: bigint; refresh: 'none' }
  | { salt: bigint; refresh: 'get-future-salts'; num: number }
  /** Nothing valid is known: send anyway with this guess and let bad_server_salt correct it. */
  | { salt: bigint | null; refresh: 'none'; stale: true }
  | { salt: bigint | null; refresh: 'get-future-salts'; num: number; stale: true }

export function stepSalts(state: SaltState, event: SaltEvent, serverNowS: number, config = DEFAULT_SALT_CONFIG): SaltState {
  switch (event.type) {
    case 'handshake':
    case 'new-session-created':
      return promote({ ...state, current: learned(event.salt, serverNowS, config) }, serverNowS)
    case 'bad-server-salt':
      // The server just told us every salt we hold is wrong for now; future ones may be too.
      return { ...state, current: learned(event.newSalt, serverNowS, config), future: [] }
    case 'future-salts': {
      const future = [...event.salts].filter((s) => s.validUntil > serverNowS).sort((a, b) => a.validSince - b.validSince)
      return promote({ current: state.current, future, requestedAt: null }, serverNowS)
    }
    case 'future-salts-requested':
      return { ...state, requestedAt: serverNowS }
    case 'tick':
      return promote(state, serverNowS)
  }
}

/** Which salt to put in the next message, and whether to ask for more. */
export function decideSalt(state: SaltState, serverNowS: number, config = DEFAULT_SALT_CONFIG): SaltDecision {
  const { current, future, requestedAt } = promote(state, serverNowS)
  const stale = current === null || current.validUntil <= serverNowS
  const asking = requestedAt !== null && serverNowS - requestedAt < config.requestTimeoutS
  const low = future.length === 0 || (current !== null && current.validUntil - serverNowS < config.refreshMarginS)
  if (stale) {
    return asking ? { salt: current?.salt ?? null, refresh: 'none', stale: true } : { salt: current?.salt ?? null, refresh: 'get-future-salts', num: config.futureCount, stale: true }
  }
  if (low && !asking) return { salt: current.salt, refresh: 'get-future-salts', num: config.futureCount }
  return { salt: current.salt, refresh: 'none' }
}

function learned(salt: bigint, serverNowS: number, config: SaltConfig): Salt {
  return { salt, validSince: serverNowS, validUntil: serverNowS + config.learnedValidityS }
}

function promote(state: SaltState, serverNowS: number): SaltState {
  let { current } = state
  let i = 0
  while (i < state.future.length && (state.future[i] as Salt).validSince <= serverNowS) {
    current = state.future[i] as Salt
    i++
  }
  return i === 0 ? state : { ...state, current, future: state.future.slice(i) }
}

/**
 * bad_server_salt answers in a row, each with a salt other than the last one given, past
 * which a connection counts as broken. A real server gives one new salt and then accepts
 * it; a peer that rejects every salt it hands out would otherwise get our calls resent at
 * round-trip speed until their deadlines.
 */
export const SALT_STORM_MAX = 6

export interface SaltStorm {
  readonly count: number
  readonly last: bigint | null
}

export const NO_SALT_STORM: SaltStorm = { count: 0, last: null }

/** Counts fresh salts from bad_server_salt; a content-related message from the server ends the run. */
export function stepSaltStorm(storm: SaltStorm, event: { type: 'bad-server-salt'; newSalt: bigint } | { type: 'progress' }): { storm: SaltStorm; broken: boolean } {
  if (event.type === 'progress') return { storm: NO_SALT_STORM, broken: false }
  if (event.newSalt === storm.last) return { storm, broken: false }
  const next = { count: storm.count + 1, last: event.newSalt }
  return { storm: next, broken: next.count > SALT_STORM_MAX }
}
