/** DcTraffic on fake ports: connect() and rotate() wait for the policy's traffic switches. */
import { describe, expect, it } from 'vitest'
import { KeyStore, type KeyHandle } from '../../keys/key-store.ts'
import type { TempKeyEvent } from '../../policy/pfs/temp-key-policy.ts'
import { DcReport } from './dc-report.ts'
import { DcTraffic } from './dc-traffic.ts'

function setup() {
  const keys = new KeyStore()
  const handles = new Map<string, KeyHandle>()
  const key = (fill: number): KeyHandle => {
    const h = keys.add(2, 'temp', new Uint8Array(256).fill(fill), 0, 100)
    handles.set(h.idHex, h)
    return h
  }
  const log = { steps: [] as TempKeyEvent['type'][], starts: 0, events: [] as string[], resumes: 0, flushes: 0 }
  let stopped: 'closed' | 'logged-out' | null = null
  let traffic: KeyHandle | null = null
  const report = new DcReport(() => undefined)
  const traffic$ = new DcTraffic({
    dcId: 2,
    report,
    stopped: () => stopped,
    boundKeyId: () => traffic?.idHex ?? null,
    start: () => void log.starts++,
    stepTempKeys: (e) => void log.steps.push(e.type),
    switchLane: (id) => (traffic = id === null ? null : (handles.get(id) ?? null)),
    keyEvent: (kind, k, detail) => void log.events.push(`${kind} ${k.idHex.slice(0, 4)}${detail ? ' ' + detail.slice(0, 12) : ''}`),
    resume: () => void log.resumes++,
    flushCalls: () => void log.flushes++,
  })
  return { t: traffic$, key, log, report, stop: (how: 'closed' | 'logged-out') => (stopped = how) }
}

const settled = async (p: Promise<unknown>) => {
  let state = 'pending'
  p.then(() => (state = 'resolved'), () => (state = 'rejected'))
  await Promise.resolve()
  await Promise.resolve()
  return state
}

describe('DcTraffic', () => {
  it('pfs §1.1: the first connect starts the perm key once; every connect asks the policy; all wait for the first key', async () => {
    const { t, key, log } = setup()
    const a = t.connect()
    const b = t.connect()
    expect(log.starts).toBe(1)
    expect(log.steps).toEqual(['connect', 'connect'])
    expect(await settled(a)).toBe('pending')
    const k = key(1)
    t.switched({ type: 'switch-traffic', keyId: k.idHex, cause: 'first', replaced: null })
    await expect(a).resolves.toBeUndefined()
    await expect(b).resolves.toBeUndefined()
    expect(log.resumes).toBe(1)
    expect(log.events).toEqual([])
  })

  it('connect() on a DC with a bound key resolves without asking the policy', async () => {
    const { t, key, log } = setup()
    t.switched({ type: 'switch-traffic', keyId: key(1).idHex, cause: 'first', replaced: null })
    await expect(t.connect()).resolves.toBeUndefined()
    expect(log.steps).toEqual([])
  })

  it('a stopped DC refuses connect() with its reason', async () => {
    const closed = setup()
    closed.stop('closed')
    await expect(closed.t.connect()).rejects.toMatchObject({ code: 'CLOSED' })
    const out = setup()
    out.stop('logged-out')
    await expect(out.t.connect()).rejects.toMatchObject({ code: 'LOGGED_OUT' })
  })

  it('a switch counts its cause: rotation and recovery each once, with their key events', () => {
    const { t, key, log, report } = setup()
    const a = key(1)
    const b = key(2)
    const c = key(3)
    t.switched({ type: 'switch-traffic', keyId: a.idHex, cause: 'first', replaced: null })
    t.switched({ type: 'switch-traffic', keyId: b.idHex, cause: 'rotation', replaced: a.idHex })
    t.switched({ type: 'switch-traffic', keyId: null, cause: 'lost' })
    t.switched({ type: 'switch-traffic', keyId: c.idHex, cause: 'recovery', replaced: null })
    expect(report.counters).toMatchObject({ rotations: 1, rebinds: 1 })
    expect(log.events.map((e) => e.split(' ')[0])).toEqual(['rotated', 'recovered'])
    expect(log.flushes).toBe(3)
  })

  it('rotate() resolves once traffic leaves the key it was asked from, not before', async () => {
    const { t, key, log } = setup()
    const a = key(1)
    t.switched({ type: 'switch-traffic', keyId: a.idHex, cause: 'first', replaced: null })
    const r = t.rotate()
    await Promise.resolve()
    expect(log.steps).toEqual(['rotate-now'])
    t.switched({ type: 'switch-traffic', keyId: a.idHex, cause: 'recovery', replaced: null })
    expect(await settled(r)).toBe('pending')
    t.switched({ type: 'switch-traffic', keyId: key(2).idHex, cause: 'rotation', replaced: a.idHex })
    await expect(r).resolves.toBeUndefined()
  })

  it('a bind failure the policy reports fails connect() only while no key carries traffic', async () => {
    const { t, report } = setup()
    const waiting = t.connect()
    t.bindReported('TEMP_AUTH_KEY_EMPTY', true)
    expect(await settled(waiting)).toBe('pending')
    expect(report.lastError?.code).toBe('TEMP_AUTH_KEY_EMPTY')
    t.bindReported(400, false)
    await expect(waiting).rejects.toMatchObject({ code: 'NOT_BOUND' })
  })

  it('a stop fails every connect() and rotate() waiter with its reason', async () => {
    const { t, key } = setup()
    const a = key(1)
    t.switched({ type: 'switch-traffic', keyId: a.idHex, cause: 'first', replaced: null })
    const r = t.rotate()
    await Promise.resolve()
    t.switched({ type: 'switch-traffic', keyId: null, cause: 'lost' })
    const c = t.connect()
    t.stop(Object.assign(new Error('closed'), { code: 'CLOSED' }))
    await expect(r).rejects.toMatchObject({ code: 'CLOSED' })
    await expect(c).rejects.toMatchObject({ code: 'CLOSED' })
  })
})
