import { describe, expect, it } from 'vitest'
import { NO_SALT, NO_SALT_STORM, SALT_STORM_MAX, decideSalt, stepSaltStorm, stepSalts, type SaltDecision, type SaltState, type SaltStorm } from './salts.ts'

const T = 1_700_000_000
const cfg = { learnedValidityS: 600, refreshMarginS: 60, futureCount: 32, requestTimeoutS: 30 }
const s = (salt: bigint, since: number, until: number) => ({ salt, validSince: since, validUntil: until })

describe('stepSalts', () => {
  it.each<{ rule: string; state: SaltState; event: Parameters<typeof stepSalts>[1]; now: number; want: SaltState }>([
    { rule: 'enc §5: the first salt comes from the handshake', state: NO_SALT, event: { type: 'handshake', salt: 7n }, now: T, want: { current: s(7n, T, T + 600), future: [], requestedAt: null } },
    { rule: 'enc §6 (48): bad_server_salt replaces the salt and the stale future list', state: { current: s(1n, T - 10, T + 500), future: [s(2n, T + 500, T + 2300)], requestedAt: null }, event: { type: 'bad-server-salt', newSalt: 9n }, now: T, want: { current: s(9n, T, T + 600), future: [], requestedAt: null } },
    { rule: 'enc §5: new_session_created carries the current salt', state: { current: s(1n, T - 10, T + 500), future: [], requestedAt: null }, event: { type: 'new-session-created', salt: 3n }, now: T, want: { current: s(3n, T, T + 600), future: [], requestedAt: null } },
    { rule: 'enc §5: future_salts sorted, expired dropped, due one promoted', state: { current: s(1n, T - 100, T + 10), future: [], requestedAt: T - 1 }, event: { type: 'future-salts', salts: [s(4n, T + 1800, T + 3600), s(2n, T - 5, T + 1800), s(0n, T - 3600, T - 1)] }, now: T, want: { current: s(2n, T - 5, T + 1800), future: [s(4n, T + 1800, T + 3600)], requestedAt: null } },
    { rule: 'enc §5: tick promotes a future salt once valid_since is reached', state: { current: s(2n, T - 5, T + 1800), future: [s(4n, T + 1800, T + 3600)], requestedAt: null }, event: { type: 'tick' }, now: T + 1800, want: { current: s(4n, T + 1800, T + 3600), future: [], requestedAt: null } },
  ])('$rule', ({ state, event, now, want }) => expect(stepSalts(state, event, now, cfg)).toEqual(want))
})

describe('decideSalt', () => {
  it.each<{ rule: string; state: SaltState; now: number; want: SaltDecision }>([
    { rule: 'enc §5: no salt yet → ask for future salts, send with nothing valid', state: NO_SALT, now: T, want: { salt: null, refresh: 'get-future-salts', num: 32, stale: true } },
    { rule: 'enc §5: valid salt with future ones queued → use it', state: { current: s(1n, T - 10, T + 1000), future: [s(2n, T + 1000, T + 2800)], requestedAt: null }, now: T, want: { salt: 1n, refresh: 'none' } },
    { rule: 'enc §5: no future salts known → ask ahead of time', state: { current: s(1n, T - 10, T + 1000), future: [], requestedAt: null }, now: T, want: { salt: 1n, refresh: 'get-future-salts', num: 32 } },
    { rule: 'enc §5: a request still outstanding is not repeated', state: { current: s(1n, T - 10, T + 1000), future: [], requestedAt: T - 5 }, now: T, want: { salt: 1n, refresh: 'none' } },
    { rule: 'enc §5: an outstanding request that timed out is repeated', state: { current: s(1n, T - 10, T + 1000), future: [], requestedAt: T - 31 }, now: T, want: { salt: 1n, refresh: 'get-future-salts', num: 32 } },
    { rule: 'enc §5: current expired and nothing after it → stale guess, bad_server_salt will correct', state: { current: s(1n, T - 700, T - 100), future: [], requestedAt: null }, now: T, want: { salt: 1n, refresh: 'get-future-salts', num: 32, stale: true } },
    { rule: 'enc §5: a due future salt is used without waiting for a tick', state: { current: s(1n, T - 700, T + 5), future: [s(2n, T - 1, T + 1800), s(3n, T + 1800, T + 3600)], requestedAt: null }, now: T, want: { salt: 2n, refresh: 'none' } },
  ])('$rule', ({ state, now, want }) => expect(decideSalt(state, now, cfg)).toEqual(want))

  it('enc §5: future-salts-requested suppresses the next ask', () => {
    const st = stepSalts(stepSalts(NO_SALT, { type: 'handshake', salt: 1n }, T, cfg), { type: 'future-salts-requested' }, T, cfg)
    expect(decideSalt(st, T + 1, cfg)).toEqual({ salt: 1n, refresh: 'none' })
  })
})

describe('stepSaltStorm', () => {
  const fresh = (n: number): SaltStorm => {
    let storm = NO_SALT_STORM
    for (let i = 1; i <= n; i++) storm = stepSaltStorm(storm, { type: 'bad-server-salt', newSalt: BigInt(i) }).storm
    return storm
  }
  it.each<{ rule: string; storm: SaltStorm; event: Parameters<typeof stepSaltStorm>[1]; broken: boolean; count: number }>([
    { rule: 'enc §6 code 48: one new salt is normal', storm: NO_SALT_STORM, event: { type: 'bad-server-salt', newSalt: 1n }, broken: false, count: 1 },
    { rule: 'the same salt again is the same correction, not a new one', storm: fresh(6), event: { type: 'bad-server-salt', newSalt: 6n }, broken: false, count: 6 },
    { rule: `a ${SALT_STORM_MAX + 1}th different salt in a row → broken`, storm: fresh(SALT_STORM_MAX), event: { type: 'bad-server-salt', newSalt: 99n }, broken: true, count: SALT_STORM_MAX + 1 },
    { rule: 'a content-related message from the server ends the run', storm: fresh(SALT_STORM_MAX), event: { type: 'progress' }, broken: false, count: 0 },
  ])('$rule', ({ storm, event, broken, count }) => {
    const r = stepSaltStorm(storm, event)
    expect(r.broken).toBe(broken)
    expect(r.storm.count).toBe(count)
  })
})
