import { describe, expect, it } from 'vitest'
import type { BindFailure } from './bind-errors.ts'
import { isUsable, needsRenewal, type TempKeyAction, type TempKeyState } from './key-slots.ts'
import { DEFAULT_TEMP_KEY_CONFIG, pickLifetimeS } from './temp-key-config.ts'
import { gatePhase, NO_KEYS, stepTempKeys, trafficKey, type TempKeyEvent } from './temp-key-policy.ts'

const T = 1_700_000_000
const clockAt = (now: number) => ({ now, serverNow: T + now / 1000, sync: 'synced' as const })
const half = () => 0.5
const H = 3_600_000
const LIFE = 84_600 // pickLifetimeS with rand 0.5

function drive(events: Array<[number, TempKeyEvent]>): { state: TempKeyState; last: TempKeyAction[]; all: TempKeyAction[] } {
  let state = NO_KEYS
  let last: TempKeyAction[] = []
  const all: TempKeyAction[] = []
  for (const [now, e] of events) {
    const r = stepTempKeys(state, e, clockAt(now), half)
    state = r.state
    last = r.actions
    all.push(...r.actions)
  }
  return { state, last, all }
}

const tick = (t: number): [number, TempKeyEvent] => [t, { type: 'tick' }]
const bound = (id: string, t0: number, inFlight = 0): Array<[number, TempKeyEvent]> => [
  tick(t0),
  [t0 + 100, { type: 'temp-handshake-done', keyId: id }],
  [t0 + 200, { type: 'bind-ok', keyId: id, inFlightOnCurrent: inFlight }],
]
const renewAtMs = (LIFE - 7200) * 1000
const EMI: BindFailure = { kind: 'rpc-error', code: 400, message: 'ENCRYPTED_MESSAGE_INVALID' }
const withoutSchedule = (a: TempKeyAction[]) => a.filter((x) => x.type !== 'schedule')
/** ENCRYPTED_MESSAGE_INVALID on key a, then (after the storm spread) on a fresh key b. */
const twoStrikes: Array<[number, TempKeyEvent]> = [
  tick(0),
  [100, { type: 'temp-handshake-done', keyId: 'a' }],
  [200, { type: 'bind-failed', keyId: 'a', failure: EMI, permKeyAgeS: 3600 }],
  tick(1000),
  [1100, { type: 'temp-handshake-done', keyId: 'b' }],
  [1200, { type: 'bind-failed', keyId: 'b', failure: EMI, permKeyAgeS: 3600 }],
]

describe('stepTempKeys', () => {
  it.each<{ rule: string; events: Array<[number, TempKeyEvent]>; want: TempKeyAction[] }>([
    {
      rule: 'issue #16: handshakes failed offline → the network back ends their backoff: one starts now',
      events: [tick(0), [10, { type: 'temp-handshake-failed' }], tick(20), [30, { type: 'temp-handshake-failed' }], tick(40), [50, { type: 'network-back' }]],
      want: [{ type: 'start-temp-handshake', expiresInS: LIFE, cause: 'failure', backgroundUntilMs: null }],
    },
    { rule: 'pfs §5.2: no temp key → start a temp handshake with a 23–24 h lifetime', events: [tick(0)], want: [{ type: 'start-temp-handshake', expiresInS: LIFE, cause: 'planned', backgroundUntilMs: null }] },
    { rule: 'pfs §5.4 / enc §7: handshake done → bind with expires_at = server start + expires_in', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }]], want: [{ type: 'send-bind', keyId: 'a', expiresAt: T + LIFE }] },
    { rule: 'pfs §1.5: bind ok → initConnection, then new calls use the key', events: bound('a', 0), want: [{ type: 'send-init-connection', keyId: 'a' }, { type: 'switch-traffic', keyId: 'a', cause: 'first', replaced: null }] },
    { rule: 'TDLib AuthData: no renewal before the 2 h margin', events: [...bound('a', 0), tick(renewAtMs - 1)], want: [] },
    { rule: 'pfs §1.7: renewal starts 2 h before expiry while the key still serves, in the background until ½ s before the key turns unusable', events: [...bound('a', 0), tick(renewAtMs)], want: [{ type: 'start-temp-handshake', expiresInS: LIFE, cause: 'planned', backgroundUntilMs: renewAtMs + 3_599_500 }] },
    { rule: 'make-before-break: the new key takes traffic at once; the old one keeps its calls', events: [...bound('a', 0), ...bound('b', renewAtMs, 2)], want: [{ type: 'send-init-connection', keyId: 'b' }, { type: 'switch-traffic', keyId: 'b', cause: 'rotation', replaced: 'a' }] },
    { rule: 'make-before-break: the old key is dropped once its calls drained', events: [...bound('a', 0), ...bound('b', renewAtMs, 2), [renewAtMs + 300, { type: 'in-flight-drained', keyId: 'a' }]], want: [{ type: 'drop-key', keyId: 'a' }] },
    { rule: 'make-before-break: nothing in flight → the old key goes at bind-ok', events: [...bound('a', 0), ...bound('b', renewAtMs, 0)], want: [{ type: 'send-init-connection', keyId: 'b' }, { type: 'switch-traffic', keyId: 'b', cause: 'rotation', replaced: 'a' }, { type: 'drop-key', keyId: 'a' }] },
    { rule: 'TDLib AuthData: a retiring key still busy 1 h before expiry is dropped and its calls resent', events: [...bound('a', 0), ...bound('b', renewAtMs, 1), tick((LIFE - 3600) * 1000)], want: [{ type: 'requeue-calls', keyId: 'a' }, { type: 'drop-key', keyId: 'a' }] },
    { rule: 'rotate-now: start a replacement at once, traffic stays on the current key', events: [...bound('a', 0), [5000, { type: 'rotate-now' }]], want: [{ type: 'start-temp-handshake', expiresInS: LIFE, cause: 'planned', backgroundUntilMs: 5000 + (LIFE - 3600 - 5 - 0.5) * 1000 }] },
    { rule: 'pfs §2: ENCRYPTED_MESSAGE_INVALID on an old perm key is one strike: alive → drop this temp key, a new one under the storm budget', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [200, { type: 'bind-failed', keyId: 'a', failure: EMI, permKeyAgeS: 3600 }]], want: [{ type: 'drop-key', keyId: 'a' }] },
    { rule: 'pfs §2: the same failure on a second, fresh temp key proves the perm key dead → drop keys, drop perm key (loggedOut)', events: twoStrikes, want: [{ type: 'switch-traffic', keyId: null, cause: 'lost' }, { type: 'drop-key', keyId: 'b' }, { type: 'drop-perm-key' }, { type: 'report', code: 'ENCRYPTED_MESSAGE_INVALID' }] },
    { rule: 'pfs §2: a good bind wipes the evidence: a later failure on another key is again one strike', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [200, { type: 'bind-failed', keyId: 'a', failure: EMI, permKeyAgeS: 3600 }], ...bound('b', 1000), [2000, { type: 'rotate-now' }], [2100, { type: 'temp-handshake-done', keyId: 'c' }], [2200, { type: 'bind-failed', keyId: 'c', failure: EMI, permKeyAgeS: 3600 }]], want: [{ type: 'drop-key', keyId: 'c' }] },
    { rule: 'api/pfs: after a strike a fresh perm key buys no more bind retries: the next failure is judged', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [200, { type: 'bind-failed', keyId: 'a', failure: EMI, permKeyAgeS: 3600 }], tick(1000), [1100, { type: 'temp-handshake-done', keyId: 'b' }], [1200, { type: 'bind-failed', keyId: 'b', failure: EMI, permKeyAgeS: 5 }]], want: [{ type: 'switch-traffic', keyId: null, cause: 'lost' }, { type: 'drop-key', keyId: 'b' }, { type: 'drop-perm-key' }, { type: 'report', code: 'ENCRYPTED_MESSAGE_INVALID' }] },
    { rule: 'pfs §2: fresh perm key → the bind is retried after a delay', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [200, { type: 'bind-failed', keyId: 'a', failure: EMI, permKeyAgeS: 5 }], tick(950)], want: [{ type: 'send-bind', keyId: 'a', expiresAt: T + LIFE }] },
    { rule: 'pfs §2: EXPIRES_AT_INVALID → resync time first', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [200, { type: 'bind-failed', keyId: 'a', failure: { kind: 'rpc-error', code: 400, message: 'EXPIRES_AT_INVALID' }, permKeyAgeS: 5 }]], want: [{ type: 'resync-time' }] },
    { rule: 'pfs §2: 500, 500, then EXPIRES_AT_INVALID on the same key (near expiry) → drop it for a new temp key (storm-paced); no report, so calls are not refused', events: [...bound('a', 0), tick(renewAtMs), [renewAtMs + 100, { type: 'temp-handshake-done', keyId: 'b' }], [renewAtMs + 200, { type: 'bind-failed', keyId: 'b', failure: { kind: 'rpc-error', code: 500, message: 'INTERNAL' }, permKeyAgeS: 3600 }], tick(renewAtMs + 1200), [renewAtMs + 1300, { type: 'bind-failed', keyId: 'b', failure: { kind: 'rpc-error', code: 500, message: 'INTERNAL' }, permKeyAgeS: 3600 }], tick(renewAtMs + 3300), [renewAtMs + 3400, { type: 'bind-failed', keyId: 'b', failure: { kind: 'rpc-error', code: 400, message: 'EXPIRES_AT_INVALID' }, permKeyAgeS: 3600 }]], want: [{ type: 'drop-key', keyId: 'b' }] },
    { rule: 'enc §7: after a resync expires_at is recomputed in the corrected server time', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [200, { type: 'bind-failed', keyId: 'a', failure: { kind: 'rpc-error', code: 400, message: 'EXPIRES_AT_INVALID' }, permKeyAgeS: 5 }], [1000, { type: 'time-resynced' }]], want: [{ type: 'send-bind', keyId: 'a', expiresAt: T + LIFE }] },
    { rule: 'enc §7: a key the handshake dated keeps its expiry through a resync: the server counts its life from its own clock then', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a', serverTime: T - 600 }], [200, { type: 'bind-failed', keyId: 'a', failure: { kind: 'rpc-error', code: 400, message: 'EXPIRES_AT_INVALID' }, permKeyAgeS: 5 }], [1000, { type: 'time-resynced' }]], want: [{ type: 'send-bind', keyId: 'a', expiresAt: T - 600 + LIFE }] },
    { rule: 'pfs §2: TEMP_AUTH_KEY_ALREADY_BOUND → drop it; the next handshake waits for the backoff', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [200, { type: 'bind-failed', keyId: 'a', failure: { kind: 'rpc-error', code: 400, message: 'TEMP_AUTH_KEY_ALREADY_BOUND' }, permKeyAgeS: 5 }]], want: [{ type: 'drop-key', keyId: 'a' }] },
    { rule: 'a bind with no answer for 30 s is a failure', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], tick(30_100)], want: [{ type: 'drop-key', keyId: 'a' }] },
    { rule: 'pfs §1.7: -404 on the key being bound → drop it, not the perm key', events: [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [150, { type: 'transport-404', keyId: 'a' }]], want: [{ type: 'drop-key', keyId: 'a' }] },
    { rule: 'pfs §1.7: -404 on the current key → resend its calls, new handshake', events: [...bound('a', 0), [5000, { type: 'transport-404', keyId: 'a' }]], want: [{ type: 'switch-traffic', keyId: null, cause: 'lost' }, { type: 'requeue-calls', keyId: 'a' }, { type: 'drop-key', keyId: 'a' }] },
  ])('$rule', ({ events, want }) => expect(withoutSchedule(drive(events).last)).toEqual(want))

  it('pfs §2: after the perm key is proven dead nothing is retried (no handshake loop)', () => {
    const { state, last } = drive([...twoStrikes, tick(10 * H)])
    expect(state.perm).toBe('dead')
    expect(last).toEqual([])
  })

  it('a bind whose connection dropped unanswered is sent again on the same key after a backoff, 4 times at most; then the key is a failure', () => {
    const events: Array<[number, TempKeyEvent]> = [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }]]
    let t = 150
    for (let rebind = 1; rebind <= 4; rebind++) {
      events.push([t, { type: 'bind-lost', keyId: 'a' }])
      const wake = drive(events).last.find((a) => a.type === 'schedule')
      expect(wake).toMatchObject({ type: 'schedule', reason: 'bind-retry' })
      const at = (wake as { atMs: number }).atMs
      // backoff with equal jitter from 250 ms, doubling: 188, 375, 750, 1500 ms at rand ½
      expect(at - t).toBe([188, 375, 750, 1500][rebind - 1])
      expect(withoutSchedule(drive([...events, tick(at - 1)]).last)).toEqual([])
      events.push(tick(at))
      expect(withoutSchedule(drive(events).last)).toEqual([{ type: 'send-bind', keyId: 'a', expiresAt: T + LIFE }])
      t = at + 50
    }
    events.push([t, { type: 'bind-lost', keyId: 'a' }])
    const r = drive(events)
    expect(withoutSchedule(r.last)).toEqual([{ type: 'drop-key', keyId: 'a' }])
    expect(r.state.storm.failures).toBe(1)
  })

  it('a lost bind is only acted on while that bind is on the wire', () => {
    const waiting = drive([tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [150, { type: 'bind-lost', keyId: 'a' }]])
    expect(withoutSchedule(stepTempKeys(waiting.state, { type: 'bind-lost', keyId: 'a' }, clockAt(160), half).actions)).toEqual([])
    expect(stepTempKeys(waiting.state, { type: 'bind-lost', keyId: 'zz' }, clockAt(160), half).state).toEqual(waiting.state)
  })

  it('a rotation with under 1 s of its key left runs at full speed', () => {
    const unusableAtMs = (LIFE - 3600) * 1000
    const r = drive([...bound('a', 0), [unusableAtMs - 900, { type: 'rotate-now' }]])
    expect(withoutSchedule(r.last)).toEqual([{ type: 'start-temp-handshake', expiresInS: LIFE, cause: 'planned', backgroundUntilMs: null }])
  })

  it('schedules the renewal wake-up and the backoff wake-up', () => {
    expect(drive(bound('a', 0)).last.at(-1)).toEqual({ type: 'schedule', atMs: renewAtMs, reason: 'renew' })
    const r = drive([tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [200, { type: 'transport-404', keyId: 'a' }]])
    expect(r.state.next).toEqual({ phase: 'waiting', until: 325, reason: 'backoff' })
    expect(r.last.at(-1)).toEqual({ type: 'schedule', atMs: 325, reason: 'handshake-budget' })
  })

  it('a handshake result nobody asked for is dropped', () =>
    expect(withoutSchedule(drive([[0, { type: 'temp-handshake-done', keyId: 'zz' }]]).all)).toEqual([{ type: 'drop-key', keyId: 'zz' }, { type: 'start-temp-handshake', expiresInS: LIFE, cause: 'planned', backgroundUntilMs: null }]))
})

describe('gatePhase', () => {
  const refused: BindFailure = { kind: 'rpc-error', code: 400, message: 'AUTH_KEY_INVALID' }
  const gaveUp: Array<[number, TempKeyEvent]> = [tick(0), [100, { type: 'temp-handshake-done', keyId: 'a' }], [200, { type: 'bind-failed', keyId: 'a', failure: refused, permKeyAgeS: 3600 }]]
  it.each<{ rule: string; events: Array<[number, TempKeyEvent]>; want: 'bound' | 'unbound' | 'failed' }>([
    { rule: 'pfs §1.3: no key bound yet → calls wait for the bind', events: [tick(0)], want: 'unbound' },
    { rule: 'pfs §1.4: a bound key carries every call', events: bound('a', 0), want: 'bound' },
    { rule: 'pfs §1.3: a bind failed for good with no key bound → only the whitelist waits, the rest is refused', events: gaveUp, want: 'failed' },
    { rule: 'pfs §1.3: connecting again after that → calls wait for the new bind', events: [...gaveUp, [300, { type: 'connect' }]], want: 'unbound' },
    { rule: 'pfs §1.3: the next key failing for good while a bound key serves refuses nothing', events: [...bound('a', 0), tick(renewAtMs), [renewAtMs + 100, { type: 'temp-handshake-done', keyId: 'b' }], [renewAtMs + 200, { type: 'bind-failed', keyId: 'b', failure: refused, permKeyAgeS: 3600 }]], want: 'bound' },
    { rule: 'pfs §1.7: the bound key lost to a -404 → calls wait for the next bind, none refused', events: [...bound('a', 0), [5000, { type: 'transport-404', keyId: 'a' }]], want: 'unbound' },
    { rule: 'pfs §1.3: a give-up while a key served is not held against the key lost after it', events: [...bound('a', 0), tick(renewAtMs), [renewAtMs + 100, { type: 'temp-handshake-done', keyId: 'b' }], [renewAtMs + 200, { type: 'bind-failed', keyId: 'b', failure: refused, permKeyAgeS: 3600 }], [renewAtMs + 300, { type: 'transport-404', keyId: 'a' }]], want: 'unbound' },
    { rule: 'pfs §2: perm key proven dead → nothing but the whitelist is let through', events: twoStrikes, want: 'failed' },
  ])('$rule', ({ events, want }) => expect(gatePhase(drive(events).state)).toBe(want))
})

describe('lifetime and predicates', () => {
  it.each([
    { rule: 'auth-key.md: TDLib lifetime 23 h at rand 0', r: 0, want: 82_800 },
    { rule: 'auth-key.md: TDLib lifetime 24 h at rand → 1', r: 0.99999999, want: 86_400 },
    { rule: 'configurable down to seconds', r: 0.3, want: 5, cfg: { ...DEFAULT_TEMP_KEY_CONFIG, minLifetimeS: 5, maxLifetimeS: 5 } },
  ])('$rule', ({ r, want, cfg }) => expect(pickLifetimeS(cfg ?? DEFAULT_TEMP_KEY_CONFIG, () => r)).toBe(want))

  it('rejects rand() outside [0, 1)', () => expect(() => pickLifetimeS(DEFAULT_TEMP_KEY_CONFIG, () => 1)).toThrow(RangeError))

  const key = { id: 'k', startedAtMs: 0, lifetimeS: 86_400, expiresAt: T + 86_400, renewAt: T + 79_200, unusableAt: T + 82_800 }
  it.each([
    { rule: 'TDLib need_tmp_auth_key: before the renew margin → no', at: T + 79_199, renew: false, usable: true },
    { rule: 'TDLib: inside the renew margin, still usable → both (rotation never stalls)', at: T + 79_200, renew: true, usable: true },
    { rule: 'TDLib has_tmp_auth_key: 1 h before expiry → unusable', at: T + 82_800, renew: true, usable: false },
  ])('$rule', ({ at, renew, usable }) => {
    expect(needsRenewal(key, at)).toBe(renew)
    expect(isUsable(key, at)).toBe(usable)
  })
})
