import { describe, expect, it } from 'vitest'
import type { TempKeyInfo, TempKeyState } from './key-slots.ts'
import { classify404, recover404, type Loss404 } from './recovery.ts'
import { NO_EVIDENCE } from './perm-key-verdict.ts'
import { CALM } from './storm-control.ts'

const key = (id: string): TempKeyInfo => ({ id, startedAtMs: 0, lifetimeS: 86_400, expiresAt: 2e9, renewAt: 2e9 - 7200, unusableAt: 2e9 - 3600 })
const base: TempKeyState = { current: key('cur'), next: { phase: 'idle' }, retiring: [key('old')], perm: 'usable', permEvidence: NO_EVIDENCE, storm: CALM, bindGaveUp: false, gap: null }
const binding: TempKeyState = { ...base, next: { phase: 'binding', key: key('nxt'), attempt: 1, rebinds: 0, step: { kind: 'sent', at: 0 } } }
const handshake: TempKeyState = { ...base, next: { phase: 'handshake', lifetimeS: 86_400, startedAt: 0, startedAtServer: 1e9 } }
const clock = { now: 10_000, serverNow: 1.7e9, sync: 'synced' as const }

describe('classify404', () => {
  it.each<{ rule: string; state: TempKeyState; keyId: string | null; want: Loss404 }>([
    { rule: 'pfs §1.7: -404 during the handshake → it never existed', state: handshake, keyId: null, want: { case: 'handshake-rejected' } },
    { rule: 'pfs §1.7: -404 on the key being bound → lost before the bind', state: binding, keyId: 'nxt', want: { case: 'binding-key-lost', keyId: 'nxt' } },
    { rule: 'pfs §1.7: -404 on a retiring key → only its calls move', state: base, keyId: 'old', want: { case: 'retiring-key-lost', keyId: 'old' } },
    { rule: 'pfs §1.7: -404 on the current key → server restart, every key presumed gone', state: base, keyId: 'cur', want: { case: 'server-restart', lostKeyIds: ['cur', 'old'] } },
    { rule: 'pfs §1.6: -404 on the current key while its successor\'s bind is on the wire → replaced by that bind', state: binding, keyId: 'cur', want: { case: 'replaced-by-bind', keyId: 'cur', successor: 'nxt' } },
    { rule: 'pfs §1.6: the same -404 while that bind, lost with its connection, waits to be re-sent → replaced by it (it may have landed)', state: { ...binding, next: { phase: 'binding', key: key('nxt'), attempt: 1, rebinds: 1, step: { kind: 'retry-at', at: 5 } } }, keyId: 'cur', want: { case: 'replaced-by-bind', keyId: 'cur', successor: 'nxt' } },
    { rule: 'the same -404 while the next bind waits to be retried → server restart', state: { ...binding, next: { phase: 'binding', key: key('nxt'), attempt: 2, rebinds: 0, step: { kind: 'retry-at', at: 5 } } }, keyId: 'cur', want: { case: 'server-restart', lostKeyIds: ['cur', 'old', 'nxt'] } },
    { rule: 'a -404 for a key already dropped is stale', state: base, keyId: 'gone', want: { case: 'stale', keyId: 'gone' } },
    { rule: 'a handshake -404 with no handshake running is stale', state: base, keyId: null, want: { case: 'stale', keyId: null } },
  ])('$rule', ({ state, keyId, want }) => expect(classify404(state, keyId)).toEqual(want))
})

describe('recover404', () => {
  it('server restart: requeue and drop every key, hold traffic, never touch the perm key', () => {
    const retrying: TempKeyState = { ...binding, next: { phase: 'binding', key: key('nxt'), attempt: 2, rebinds: 0, step: { kind: 'retry-at', at: 5 } } }
    const r = recover404(retrying, 'cur', clock, () => 0.5)
    expect(r.actions).toEqual([
      { type: 'switch-traffic', keyId: null, cause: 'lost' },
      { type: 'requeue-calls', keyId: 'cur' }, { type: 'drop-key', keyId: 'cur' },
      { type: 'requeue-calls', keyId: 'old' }, { type: 'drop-key', keyId: 'old' },
      { type: 'requeue-calls', keyId: 'nxt' }, { type: 'drop-key', keyId: 'nxt' },
    ])
    expect(r.state).toMatchObject({ current: null, retiring: [], next: { phase: 'idle' }, perm: 'usable' })
    expect(r.state.storm.failures).toBe(1)
  })

  it('replaced by our own bind: the current key\'s calls wait for that bind; the next key is kept, no storm failure', () => {
    const r = recover404(binding, 'cur', clock, () => 0.5)
    expect(r.actions).toEqual([{ type: 'switch-traffic', keyId: null, cause: 'held' }, { type: 'requeue-calls', keyId: 'cur' }, { type: 'drop-key', keyId: 'cur' }])
    expect(r.state).toMatchObject({ current: null, retiring: [key('old')], next: { phase: 'binding', key: { id: 'nxt' } } })
    expect(r.state.storm).toBe(CALM)
  })

  it('retiring key lost: no storm failure, current untouched', () => {
    const r = recover404(base, 'old', clock, () => 0.5)
    expect(r.actions).toEqual([{ type: 'requeue-calls', keyId: 'old' }, { type: 'drop-key', keyId: 'old' }])
    expect(r.state.current?.id).toBe('cur')
    expect(r.state.storm).toBe(CALM)
  })

  it('stale: state unchanged', () => expect(recover404(base, 'gone', clock, () => 0.5).state).toBe(base))
})
