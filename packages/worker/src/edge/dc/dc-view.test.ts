/** The DC view the page sees, from a fake source: plain data, key ids only, derived fields. */
import { describe, expect, it } from 'vitest'
import type { KeyHandle } from '../../keys/key-store.ts'
import { NO_KEYS } from '../../policy/pfs/temp-key-policy.ts'
import { DcReport, errorView } from './dc-report.ts'
import { dcStateView, type DcViewSource } from './dc-view.ts'
import type { Lane } from './lane.ts'

const T = 1_700_000_000

function source(o: Partial<DcViewSource> & { laneBound?: boolean } = {}, report = new DcReport(() => undefined)): DcViewSource {
  const key = { idHex: 'aa', expiresAt: T + 60 } as KeyHandle
  const lane = o.laneBound === undefined ? null : ({ key, bound: o.laneBound } as unknown as Lane)
  return {
    dcId: 2,
    env: { clock: { now: () => 10_000, wallNow: () => T * 1000 + 10_000 } } as DcViewSource['env'],
    report,
    perm: { idHex: 'pp' } as KeyHandle,
    lane,
    phase: 'bound',
    clock: { sync: 'synced', offsetS: T, source: 'handshake' },
    tempKeys: { state: NO_KEYS, nextKeyId: null },
    nextRotationAt: T + 50,
    calls: { pending: 3 },
    now: () => 10_000,
    serverNowS: () => T + 10,
    ...o,
  }
}

describe('dcStateView', () => {
  it('shows key ids, expiry and counters; bound only with a bound traffic lane in the bound phase', () => {
    const v = dcStateView(source({ laneBound: true }))
    expect(v).toMatchObject({ dcId: 2, permKeyId: 'pp', tempKeyId: 'aa', bound: true, expiresAt: T + 60, nextRotationAt: T + 50, pendingCalls: 3 })
    expect(dcStateView(source({ laneBound: false })).bound).toBe(false)
    expect(dcStateView(source({ laneBound: true, phase: 'unbound' })).bound).toBe(false)
    expect(dcStateView(source()).tempKeyId).toBeNull()
  })

  it('a wait reason is shown only while the status is backoff', () => {
    const report = new DcReport(() => undefined)
    const s = source({}, report)
    report.setStatus('handshaking', 'bind-failed')
    expect(dcStateView(s).waitReason).toBeNull()
    report.setStatus('backoff', 'bind-failed')
    expect(dcStateView(s).waitReason).toBe('bind-failed')
  })

  it('the server time offset is against the wall clock, not the monotonic one', () => {
    // offsetS maps monotonic ms to server time; the wall clock here reads T + 10 s exactly
    expect(dcStateView(source()).serverTimeOffset).toBeCloseTo(0, 6)
  })

  it('storm backoff is shown in server time while it lasts', () => {
    const waiting = source({ tempKeys: { state: { ...NO_KEYS, storm: { ...NO_KEYS.storm, backoffUntil: 15_000 } }, nextKeyId: null } })
    expect(dcStateView(waiting).stormBackoffUntil).toBe(T + 15)
    const over = source({ tempKeys: { state: { ...NO_KEYS, storm: { ...NO_KEYS.storm, backoffUntil: 5_000 } }, nextKeyId: null } })
    expect(dcStateView(over).stormBackoffUntil).toBeNull()
  })
})

describe('errorView', () => {
  it('keeps name, code and message, never the thrown object', () => {
    const secret = Object.assign(new Error('bind failed'), { code: 400, key: new Uint8Array([1, 2, 3]) })
    expect(errorView(secret)).toEqual({ name: 'Error', code: 400, message: 'bind failed' })
    expect(errorView('plain')).toEqual({ name: 'Error', code: 'UNKNOWN', message: 'plain' })
  })
})
