import { RpcError } from '@pfs-web/errors'
import { serializeObject, type TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { EngineError } from '../../errors.ts'
import { DcRouter, type RouterHost } from './dc-router.ts'

interface Sent {
  method: string
  dc: number
  pool: string | undefined
  timeoutMs: number
}

/** A host whose DCs answer by `answer`; perm key ids per DC can be changed by the test. */
function host(answer: (method: string, dc: number) => TlObject | Error | Promise<TlObject>) {
  const sent: Sent[] = []
  const perms = new Map([
    [1, 'p1'],
    [2, 'p2'],
  ])
  let now = 0
  const h: RouterHost & { sent: Sent[]; perms: Map<number, string>; tick(ms: number): void; homes: number[] } = {
    sent,
    perms,
    homes: [],
    tick: (ms) => void (now += ms),
    async send(_request, method, dc, pool, timeoutMs) {
      sent.push({ method, dc, pool, timeoutMs })
      const a = await answer(method, dc)
      if (a instanceof Error) throw a
      return serializeObject(a)
    },
    permKeyId: async (dc) => perms.get(dc) ?? 'none',
    knownDc: (dc) => dc === 1 || dc === 2,
    now: () => now,
    saveHome: (dc) => void h.homes.push(dc),
  }
  return h
}

const exported: TlObject = { _: 'auth.exportedAuthorization', id: 5n, bytes: new Uint8Array([1, 2, 3]) }
const authorized: TlObject = { _: 'auth.authorization', user: { _: 'userEmpty', id: 9n } }
const state: TlObject = { _: 'updates.state', pts: 1, qts: 0, date: 1, seq: 1, unread_count: 0 }
const signedIn = (method: string): TlObject =>
  method === 'auth.exportAuthorization' ? exported : method === 'auth.importAuthorization' ? authorized : state
const GET_STATE = serializeObject({ _: 'updates.getState' })

function router(h: RouterHost): DcRouter {
  const r = new DcRouter(h)
  r.home = 1
  return r
}

describe('DcRouter: export on home, import on the target (api/datacenter)', () => {
  it('once per perm key of the DC, and again when that perm key is replaced', async () => {
    const h = host(signedIn)
    const r = router(h)
    await r.call(GET_STATE, { dcId: 2 }, 1000)
    await r.call(GET_STATE, { dcId: 2 }, 1000)
    expect(h.sent.map((s) => `${s.method}@${s.dc}`)).toEqual(['auth.exportAuthorization@1', 'auth.importAuthorization@2', 'updates.getState@2', 'updates.getState@2'])
    h.perms.set(2, 'p2-new')
    h.sent.length = 0
    await r.call(GET_STATE, { dcId: 2 }, 1000)
    expect(h.sent.map((s) => `${s.method}@${s.dc}`)).toEqual(['auth.exportAuthorization@1', 'auth.importAuthorization@2', 'updates.getState@2'])
  })

  it('calls that arrive together share one export and import', async () => {
    const h = host(signedIn)
    const r = router(h)
    await Promise.all([1, 2, 3].map(() => r.call(GET_STATE, { dcId: 2 }, 1000)))
    expect(h.sent.filter((s) => s.method.startsWith('auth.')).length).toBe(2)
  })

  it('home answers 401: nothing is imported and not asked again, until a sign-in on home answers auth.authorization', async () => {
    let signed = false
    const h = host((method) => (method === 'auth.exportAuthorization' && !signed ? new RpcError(401, 'AUTH_KEY_UNREGISTERED') : signedIn(method)))
    const r = router(h)
    await r.call(GET_STATE, { dcId: 2 }, 1000)
    await r.call(GET_STATE, { dcId: 2 }, 1000)
    expect(h.sent.filter((s) => s.method === 'auth.exportAuthorization').length).toBe(1)
    expect(h.sent.some((s) => s.method === 'auth.importAuthorization')).toBe(false)
    signed = true
    // an auth.* call on home answered auth.authorization: a sign-in (the import itself is no user call)
    await r.call(serializeObject({ _: 'auth.importAuthorization', id: 1n, bytes: new Uint8Array(0) }), {}, 1000)
    await r.call(GET_STATE, { dcId: 2 }, 1000)
    expect(h.sent.filter((s) => s.method === 'auth.importAuthorization' && s.dc === 2).length).toBe(1)
  })

  it('help.* on another DC needs no import', async () => {
    const h = host(() => ({ _: 'nearestDc', country: 'ZZ', this_dc: 2, nearest_dc: 2 }))
    await router(h).call(serializeObject({ _: 'help.getNearestDc' }), { dcId: 2 }, 1000)
    expect(h.sent.map((s) => s.method)).toEqual(['help.getNearestDc'])
  })
})

describe('DcRouter: hops share the call', () => {
  it('a cancel while the import runs: the call rejects CANCELLED and is never sent', async () => {
    let release: () => void = () => undefined
    const h = host((method) => (method === 'auth.importAuthorization' ? new Promise<TlObject>((ok) => (release = () => ok(authorized))) : signedIn(method)))
    const r = router(h)
    const call = r.call(GET_STATE, { dcId: 2, callId: 'c1' }, 1000)
    await new Promise((ok) => setTimeout(ok, 0))
    r.cancel('c1')
    release()
    await expect(call).rejects.toEqual(new EngineError('CANCELLED'))
    expect(h.sent.map((s) => s.method)).toEqual(['auth.exportAuthorization', 'auth.importAuthorization'])
  })

  it("every hop gets what is left of the caller's deadline, and the same pool", async () => {
    let first = true
    const h = host((method, dc) => {
      h.tick(300)
      if (method === 'updates.getState' && first) {
        first = false
        return new RpcError(303, 'PHONE_MIGRATE_2')
      }
      return dc === 2 || method !== 'updates.getState' ? signedIn(method) : state
    })
    const r = router(h)
    await r.call(GET_STATE, { pool: 'download' }, 1000)
    expect(h.sent.map((s) => [s.method, s.dc, s.pool, s.timeoutMs])).toEqual([
      ['updates.getState', 1, 'download', 1000],
      ['updates.getState', 2, 'download', 700],
    ])
    expect([r.home, h.homes]).toEqual([2, [2]])
  })
})
