/**
 * Temp key lifetime and make-before-break rotation (pfs-and-errors.md §1.5, §1.7, §5
 * step 7; auth-key.md "Permanent vs temporary key"; TDLib AuthData need/has_tmp_auth_key).
 *
 * The next key is made and bound while the current one still carries traffic; at
 * bind-ok new calls switch to it at once and calls in flight on the old key finish
 * there, so a planned rotation never stops traffic. A call never goes to a key that
 * is not bound: only bound keys ever sit in `current`.
 */
import { DEFAULT_BIND_RETRY, onBindError, type BindContext, type BindFailure } from './bind-errors.ts'
import {
  isUsable,
  needsRenewal,
  allKeyIds,
  type NextSlot,
  type PolicyClock,
  type ScheduleReason,
  type TempKeyAction,
  type TempKeyInfo,
  type TempKeyState,
} from './key-slots.ts'
import type { BindPhase } from './gate.ts'
import { backoffMs } from './jitter.ts'
import { NO_EVIDENCE, strike, weighedAgeS } from './perm-key-verdict.ts'
import { recover404 } from './recovery.ts'
import { CALM, stepStorm } from './storm-control.ts'
import { DEFAULT_TEMP_KEY_CONFIG, pickLifetimeS, type TempKeyConfig } from './temp-key-config.ts'

export type TempKeyEvent =
  | { type: 'tick' }
  /** The embedder asks for a bound key (again): a bind that gave up is tried anew. */
  | { type: 'connect' }
  /**
   * The network is back (online, reconnect(): policy/session/lifecycle). Handshakes that
   * failed offline said nothing about the server, so their backoff ends: one starts now.
   */
  | { type: 'network-back' }
  | { type: 'rotate-now' }
  /**
   * `serverTime`: server_time from the handshake's server_DH_inner_data. The key's life is
   * counted from it, not from the start estimate, which a clock corrected by this very
   * handshake (a wake from sleep, a skew) may have put hours off (issue #11).
   */
  | { type: 'temp-handshake-done'; keyId: string; serverTime?: number }
  | { type: 'temp-handshake-failed' }
  /** `inFlightOnCurrent`: the outbox's count of unanswered calls on the key being replaced. */
  | { type: 'bind-ok'; keyId: string; inFlightOnCurrent: number }
  /** `permKeyAgeS`: seconds since this client made the perm key; null for a stored one. */
  | { type: 'bind-failed'; keyId: string; failure: BindFailure; permKeyAgeS: number | null }
  /** The bind's connection went down before its answer came (the server may have applied it). */
  | { type: 'bind-lost'; keyId: string }
  | { type: 'time-resynced' }
  | { type: 'transport-404'; keyId: string | null }
  | { type: 'in-flight-drained'; keyId: string }

export const NO_KEYS: TempKeyState = { current: null, next: { phase: 'idle' }, retiring: [], perm: 'usable', permEvidence: NO_EVIDENCE, storm: CALM, bindGaveUp: false, gap: null }

type Step = { state: TempKeyState; actions: TempKeyAction[] }

/** What the gate lets through (gate.ts): everything while a bound key carries traffic. */
export function gatePhase(state: TempKeyState): BindPhase {
  if (state.current !== null) return 'bound'
  return state.bindGaveUp ? 'failed' : 'unbound'
}

/** The key new calls may use now, or null (hold them). */
export function trafficKey(state: TempKeyState, serverNow: number): string | null {
  return state.current !== null && isUsable(state.current, serverNow) ? state.current.id : null
}

export function stepTempKeys(
  state: TempKeyState,
  event: TempKeyEvent,
  clock: PolicyClock,
  rand: () => number,
  config: TempKeyConfig = DEFAULT_TEMP_KEY_CONFIG,
): Step {
  const r = apply(state, event, clock, rand, config)
  const settled = settle(r.state, clock, rand, config)
  const actions = [...r.actions, ...settled.actions]
  const wake = nextWake(settled.state, clock, config)
  if (wake !== null) actions.push({ type: 'schedule', ...wake })
  return { state: settled.state, actions }
}

function apply(state: TempKeyState, event: TempKeyEvent, clock: PolicyClock, rand: () => number, config: TempKeyConfig): Step {
  const { next } = state
  switch (event.type) {
    case 'tick':
      return { state, actions: [] }
    case 'connect':
      return { state: { ...state, bindGaveUp: false }, actions: [] }
    case 'network-back':
      return { state: { ...state, storm: { ...state.storm, starts: [], backoffUntil: 0 }, next: next.phase === 'waiting' ? { phase: 'idle' } : next }, actions: [] }
    case 'rotate-now': {
      if (state.current === null) return { state, actions: [] }
      const current = { ...state.current, renewAt: Math.min(state.current.renewAt, clock.serverNow) }
      return { state: { ...state, current }, actions: [] }
    }
    case 'temp-handshake-done': {
      if (next.phase !== 'handshake') return { state, actions: [{ type: 'drop-key', keyId: event.keyId }] }
      const made = makeKey(event.keyId, next.startedAt, event.serverTime ?? next.startedAtServer, next.lifetimeS, config)
      const key: TempKeyInfo = event.serverTime === undefined ? made : { ...made, serverBorn: true }
      return sendBind({ ...state, next: { phase: 'binding', key, attempt: 1, rebinds: 0, step: { kind: 'sent', at: clock.now } } }, key)
    }
    case 'temp-handshake-failed':
      return next.phase === 'handshake' ? failNext(state, clock, rand, config, []) : { state, actions: [] }
    case 'bind-ok': {
      if (next.phase !== 'binding' || next.key.id !== event.keyId) return { state, actions: [] }
      const old = state.current
      const actions: TempKeyAction[] = [{ type: 'send-init-connection', keyId: next.key.id }, switchTo(state, next.key.id)]
      let retiring = state.retiring
      if (old !== null && event.inFlightOnCurrent === 0) actions.push({ type: 'drop-key', keyId: old.id })
      else if (old !== null) retiring = [...retiring, old]
      const storm = stepStorm(state.storm, { type: 'bound' }, clock.now, rand, config.storm).state
      return { state: { ...state, current: next.key, next: { phase: 'idle' }, retiring, storm, permEvidence: NO_EVIDENCE, bindGaveUp: false, gap: null }, actions }
    }
    case 'bind-failed': {
      if (next.phase !== 'binding' || next.key.id !== event.keyId) return { state, actions: [] }
      const ctx: BindContext = { permKeyAgeS: weighedAgeS(state.permEvidence, event.permKeyAgeS), attempt: next.attempt, clock: clock.sync, permVerdict: 'none' }
      return onDecision(state, next, event.failure, ctx, clock, rand, config)
    }
    case 'bind-lost': {
      if (next.phase !== 'binding' || next.key.id !== event.keyId || next.step.kind !== 'sent') return { state, actions: [] }
      // A repeat for the same perm key answers boolTrue if the first one was applied, so the
      // same key is bound again on its reopened connection, a few times, backing off; past
      // that the key is a failure like any other, and storm control paces its successor.
      const bind = config.bind ?? DEFAULT_BIND_RETRY
      const rebinds = next.rebinds + 1
      if (rebinds > bind.maxRebindsOnDrop) return failNext(state, clock, rand, config, [])
      const at = clock.now + Math.round(backoffMs(rebinds, bind.rebindBaseDelayMs, bind.rebindMaxDelayMs, rand))
      return { state: { ...state, next: { ...next, rebinds, step: { kind: 'retry-at', at } } }, actions: [] }
    }
    case 'time-resynced': {
      if (next.phase !== 'binding' || next.step.kind !== 'resyncing') return { state, actions: [] }
      // expires_at in the corrected server time (pfs §2, enc §7). A key the handshake dated
      // keeps it: the server counts its life from its own clock at the key's birth, so a
      // correction of our estimate since then (its clock stepped back or forth) cannot move
      // it, and a later expiry would have us use the key after the server dropped it (issue
      // #17, sim seed 176: a key born while the server ran 600 s behind). An expiry counted
      // from our estimate is recounted: same lifetime, from the same local start.
      const startedAtServer = clock.serverNow - (clock.now - next.key.startedAtMs) / 1000
      const key = next.key.serverBorn ? next.key : makeKey(next.key.id, next.key.startedAtMs, startedAtServer, next.key.lifetimeS, config)
      return sendBind({ ...state, next: { ...next, key, step: { kind: 'sent', at: clock.now } } }, key)
    }
    case 'transport-404': {
      const r = recover404(state, event.keyId, clock, rand, config.storm)
      return { state: r.state, actions: r.actions }
    }
    case 'in-flight-drained': {
      if (!state.retiring.some((k) => k.id === event.keyId)) return { state, actions: [] }
      return { state: { ...state, retiring: state.retiring.filter((k) => k.id !== event.keyId) }, actions: [{ type: 'drop-key', keyId: event.keyId }] }
    }
  }
}

/**
 * Traffic moves to the key just bound. A rotation replaces the current key, or the one held
 * for this very successor; any other gap (the key lost, or its successor lost too) makes
 * this a recovery.
 */
function switchTo(state: TempKeyState, keyId: string): TempKeyAction {
  const gap = state.gap
  if (state.current !== null) return { type: 'switch-traffic', keyId, cause: 'rotation', replaced: state.current.id }
  if (gap?.kind === 'held' && gap.successor === keyId) return { type: 'switch-traffic', keyId, cause: 'rotation', replaced: gap.replaced }
  if (gap !== null) return { type: 'switch-traffic', keyId, cause: 'recovery', replaced: null }
  return { type: 'switch-traffic', keyId, cause: 'first', replaced: null }
}

function onDecision(
  state: TempKeyState,
  next: Extract<NextSlot, { phase: 'binding' }>,
  failure: BindFailure,
  ctx: BindContext,
  clock: PolicyClock,
  rand: () => number,
  config: TempKeyConfig,
): Step {
  const attempt = next.attempt + 1
  const decision = onBindError(failure, ctx, rand, config.bind)
  switch (decision.action) {
    case 'retry-bind':
      return { state: { ...state, next: { ...next, attempt, step: { kind: 'retry-at', at: clock.now + decision.delayMs } } }, actions: [] }
    case 'resync-time-and-retry':
      return { state: { ...state, next: { ...next, attempt, step: { kind: 'resyncing' } } }, actions: [{ type: 'resync-time' }] }
    case 'judge-perm-key': {
      // this failure is evidence on the perm key; the verdict it gives decides (pfs §2), and
      // with a verdict in the context bind-errors answers something else
      const judged = strike(state.permEvidence, next.key.id)
      return onDecision({ ...state, permEvidence: judged.evidence }, next, failure, { ...ctx, permVerdict: judged.verdict }, clock, rand, config)
    }
    case 'new-temp-key':
      return failNext(state, clock, rand, config, [])
    case 'report': {
      const code = decision.code
      return failNext({ ...state, bindGaveUp: state.current === null }, clock, rand, config, [{ type: 'report', code }])
    }
    case 'drop-perm-key': {
      const actions: TempKeyAction[] = [{ type: 'switch-traffic', keyId: null, cause: 'lost' }]
      for (const keyId of allKeyIds(state)) actions.push({ type: 'drop-key', keyId })
      actions.push({ type: 'drop-perm-key' }, { type: 'report', code: failure.kind === 'rpc-error' ? failure.message : 'BIND_FALSE' })
      return { state: { ...NO_KEYS, perm: 'dead', storm: state.storm, bindGaveUp: true }, actions }
    }
  }
}

/** The next key failed: forget it and count a failure; settle() asks for another within budget. */
function failNext(state: TempKeyState, clock: PolicyClock, rand: () => number, config: TempKeyConfig, actions: TempKeyAction[]): Step {
  const drop: TempKeyAction[] = state.next.phase === 'binding' ? [{ type: 'drop-key', keyId: state.next.key.id }] : []
  const storm = stepStorm(state.storm, { type: 'failed' }, clock.now, rand, config.storm).state
  return { state: { ...state, next: { phase: 'idle' }, storm }, actions: [...actions, ...drop] }
}

function sendBind(state: TempKeyState, key: TempKeyInfo): Step {
  return { state, actions: [{ type: 'send-bind', keyId: key.id, expiresAt: key.expiresAt }] }
}

function settle(state: TempKeyState, clock: PolicyClock, rand: () => number, config: TempKeyConfig): Step {
  if (state.perm === 'dead') return { state, actions: [] }
  const actions: TempKeyAction[] = []
  const { serverNow, now } = clock
  let s = state

  for (const k of s.retiring.filter((k) => !isUsable(k, serverNow))) actions.push({ type: 'requeue-calls', keyId: k.id }, { type: 'drop-key', keyId: k.id })
  s = { ...s, retiring: s.retiring.filter((k) => isUsable(k, serverNow)) }

  if (s.current !== null && !isUsable(s.current, serverNow)) {
    // only when no replacement got bound in time: traffic waits for the next key. That is
    // a loss like a -404, so it counts for storm control: a key unusable as soon as it is
    // bound (a clock the server's msg_ids keep pulling ahead) must not buy an unlimited
    // run of "planned" handshakes (issue #11, found by the simulation).
    actions.push({ type: 'switch-traffic', keyId: null, cause: 'lost' }, { type: 'requeue-calls', keyId: s.current.id }, { type: 'drop-key', keyId: s.current.id })
    s = { ...s, current: null, gap: { kind: 'lost' }, storm: stepStorm(s.storm, { type: 'failed' }, now, rand, config.storm).state }
  }

  const n = s.next
  const stale =
    (n.phase === 'binding' && (!isUsable(n.key, serverNow) || (n.step.kind === 'sent' && now >= n.step.at + config.stepTimeoutMs))) ||
    (n.phase === 'handshake' && now >= n.startedAt + config.stepTimeoutMs)
  if (stale) {
    const r = failNext(s, clock, rand, config, [])
    s = r.state
    actions.push(...r.actions)
  } else if (n.phase === 'binding' && n.step.kind === 'retry-at' && now >= n.step.at) {
    s = { ...s, next: { ...n, step: { kind: 'sent', at: now } } }
    actions.push({ type: 'send-bind', keyId: n.key.id, expiresAt: n.key.expiresAt })
  } else if (n.phase === 'waiting' && now >= n.until) {
    s = { ...s, next: { phase: 'idle' } }
  }

  if (s.next.phase === 'idle' && (s.current === null || needsRenewal(s.current, serverNow))) {
    const r = stepStorm(s.storm, { type: 'request' }, now, rand, config.storm)
    const verdict = r.verdict ?? { allowed: true, cause: 'failure' }
    if (verdict.allowed) {
      const lifetimeS = pickLifetimeS(config, rand)
      s = { ...s, storm: r.state, next: { phase: 'handshake', lifetimeS, startedAt: now, startedAtServer: serverNow } }
      actions.push({ type: 'start-temp-handshake', expiresInS: lifetimeS, cause: verdict.cause, backgroundUntilMs: backgroundUntil(s, clock, config) })
    } else {
      s = { ...s, storm: r.state, next: { phase: 'waiting', until: verdict.until, reason: verdict.reason } }
    }
  }
  return { state: s, actions }
}

/** Until when a handshake started now may yield to the calls (see TempKeyConfig); null: full speed. */
function backgroundUntil(state: TempKeyState, clock: PolicyClock, config: TempKeyConfig): number | null {
  if (state.current === null) return null
  const slackS = state.current.unusableAt - clock.serverNow
  return slackS >= config.backgroundMinSlackS ? clock.now + (slackS - config.backgroundMarginS) * 1000 : null
}

function nextWake(state: TempKeyState, clock: PolicyClock, config: TempKeyConfig): { atMs: number; reason: ScheduleReason } | null {
  if (state.perm === 'dead') return null
  // rounded up: a wake a hair early would find nothing due and ask to wake again at once
  const toMs = (serverS: number) => Math.ceil(clock.now + Math.max(0, serverS - clock.serverNow) * 1000)
  const c: Array<{ atMs: number; reason: ScheduleReason }> = []
  if (state.current !== null) {
    if (state.next.phase === 'idle') c.push({ atMs: toMs(state.current.renewAt), reason: 'renew' })
    c.push({ atMs: toMs(state.current.unusableAt), reason: 'unusable' })
  }
  for (const k of state.retiring) c.push({ atMs: toMs(k.unusableAt), reason: 'retire' })
  const n = state.next
  if (n.phase === 'waiting') c.push({ atMs: n.until, reason: 'handshake-budget' })
  if (n.phase === 'handshake') c.push({ atMs: n.startedAt + config.stepTimeoutMs, reason: 'step-timeout' })
  if (n.phase === 'binding') {
    c.push({ atMs: toMs(n.key.unusableAt), reason: 'unusable' })
    if (n.step.kind === 'sent') c.push({ atMs: n.step.at + config.stepTimeoutMs, reason: 'step-timeout' })
    if (n.step.kind === 'retry-at') c.push({ atMs: n.step.at, reason: 'bind-retry' })
  }
  if (c.length === 0) return null
  return c.reduce((a, b) => (b.atMs < a.atMs ? b : a))
}

function makeKey(id: string, startedAtMs: number, startedAtServer: number, lifetimeS: number, config: TempKeyConfig): TempKeyInfo {
  // Whole seconds, as the bind carries it (an int): the server drops the key at this very
  // instant, so the renewal and unusable points must count from it, not from a later
  // fraction (issue #11: 5 s keys were still used after the server had dropped them).
  const expiresAt = Math.floor(startedAtServer + lifetimeS)
  return {
    id,
    startedAtMs,
    lifetimeS,
    expiresAt,
    renewAt: expiresAt - Math.min(config.renewMarginS, lifetimeS * config.renewFraction),
    unusableAt: expiresAt - Math.min(config.unusableMarginS, lifetimeS * config.unusableFraction),
  }
}
