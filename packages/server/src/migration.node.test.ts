/**
 * Issue #16 on the server: the `migrate` fault (api/errors 303 SEE_OTHER), a signed-in user
 * per perm key, and auth.exportAuthorization / auth.importAuthorization (api/datacenter):
 * a token exported on the home DC signs the perm key of the target DC in, once.
 */
import { ControlClient } from '@pfs-web/control-client'
import type { TlObject } from '@pfs-web/tl'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connectPfs, type PfsClient } from './test-support/pfs-client.ts'
import { startTestServer, tcp } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server
let control: ControlClient
const open: PfsClient[] = []

beforeAll(async () => {
  server = await startTestServer()
  control = new ControlClient(`http://${server.host}:${server.controlPort}`)
})
afterEach(async () => {
  for (const c of open.splice(0)) c.close()
  await control.fault({ type: 'clear' })
})
afterAll(() => server.dispose())

async function client(dc: number): Promise<PfsClient> {
  const c = await connectPfs(tcp(server), server.rsaPublicKeyPem, { dc })
  open.push(c)
  return c
}

/** The rpc_error a call got, as `code name`, or the constructor it answered. */
const outcome = (c: PfsClient, query: TlObject): Promise<string> =>
  c.session.api(query).then(
    (r) => r._,
    (e: { code?: unknown; message?: unknown }) => `${String(e.code)} ${String(e.message)}`,
  )

describe('migrate fault', () => {
  it('answers the nth call of the method on another DC with 303 PHONE_MIGRATE_4, count times; calls on DC 4 pass', async () => {
    await control.fault({ type: 'migrate', method: 'updates.getState', error: 'PHONE_MIGRATE', dc: 4, nth: 2, count: 1 })
    const c2 = await client(2)
    const got = []
    for (let i = 0; i < 3; i++) got.push(await outcome(c2, { _: 'updates.getState' }))
    expect(got).toEqual(['updates.state', '303 PHONE_MIGRATE_4', 'updates.state'])
    const c4 = await client(4)
    expect(await outcome(c4, { _: 'updates.getState' })).toBe('updates.state')
    expect(await outcome(c2, { _: 'help.getNearestDc' })).toBe('nearestDc')
    expect((await control.faultState()).migrations).toMatchObject([{ error: 'PHONE_MIGRATE', dc: 4, answered: 1, left: 0 }])
  }, 30_000)

  it('without a count it answers every call on another DC: FILE_MIGRATE_3 for each upload.getFile on DC 2', async () => {
    await control.fault({ type: 'migrate', method: 'upload.getFile', error: 'FILE_MIGRATE', dc: 3 })
    const c2 = await client(2)
    const getFile: TlObject = { _: 'upload.getFile', location: { _: 'inputDocumentFileLocation', id: 1n, access_hash: 0n, file_reference: new Uint8Array(0), thumb_size: '' }, offset: 0n, limit: 1024 }
    expect([await outcome(c2, getFile), await outcome(c2, getFile)]).toEqual(['303 FILE_MIGRATE_3', '303 FILE_MIGRATE_3'])
  }, 30_000)

  it('refuses a malformed migrate fault with BAD_FAULT', async () => {
    for (const bad of [
      { type: 'migrate', method: 'updates.getState', error: 'NOPE_MIGRATE', dc: 2 },
      { type: 'migrate', method: 'updates.getState', error: 'FILE_MIGRATE', dc: 0 },
      { type: 'migrate', method: 'a b', error: 'FILE_MIGRATE', dc: 2 },
      { type: 'sign-in', dc: 2, userId: '-1' },
    ]) {
      await expect(control.fault(bad as never)).rejects.toMatchObject({ code: 'BAD_FAULT' })
    }
  })
})

describe('export and import authorization', () => {
  it('a signed-in perm key on DC 2 exports a token that signs DC 4 in once; auth.logOut signs out', async () => {
    await control.fault({ type: 'require-authorization', on: true })
    const home = await client(2)
    expect(await outcome(home, { _: 'updates.getState' })).toBe('401 AUTH_KEY_UNREGISTERED')
    expect(await outcome(home, { _: 'auth.exportAuthorization', dc_id: 4 })).toBe('401 AUTH_KEY_UNREGISTERED')
    await control.fault({ type: 'sign-in', dc: 2, userId: '777' })
    expect(await outcome(home, { _: 'updates.getState' })).toBe('updates.state')
    expect(await outcome(home, { _: 'auth.exportAuthorization', dc_id: 2 })).toBe('400 DC_ID_INVALID')
    expect(await outcome(home, { _: 'auth.exportAuthorization', dc_id: 9 })).toBe('400 DC_ID_INVALID')
    const token = await home.session.api({ _: 'auth.exportAuthorization', dc_id: 4 })
    if (token._ !== 'auth.exportedAuthorization') throw new Error(token._)

    const target = await client(4)
    expect(await outcome(target, { _: 'updates.getState' })).toBe('401 AUTH_KEY_UNREGISTERED')
    const wrong = Uint8Array.from(token.bytes, (b, i) => (i === 0 ? b ^ 1 : b))
    expect(await outcome(target, { _: 'auth.importAuthorization', id: token.id, bytes: wrong })).toBe('400 AUTH_BYTES_INVALID')
    // bound to its target: DC 3 cannot use a token made for DC 4
    const other = await client(3)
    expect(await outcome(other, { _: 'auth.importAuthorization', id: token.id, bytes: token.bytes })).toBe('400 AUTH_BYTES_INVALID')
    const imported = await target.session.api({ _: 'auth.importAuthorization', id: token.id, bytes: token.bytes })
    expect(imported).toMatchObject({ _: 'auth.authorization', user: { _: 'userEmpty', id: 777n } })
    expect(await outcome(target, { _: 'updates.getState' })).toBe('updates.state')
    // single use
    const again = await client(4)
    expect(await outcome(again, { _: 'auth.importAuthorization', id: token.id, bytes: token.bytes })).toBe('400 AUTH_BYTES_INVALID')

    expect(await outcome(target, { _: 'auth.logOut' })).toBe('auth.loggedOut')
    expect(await outcome(target, { _: 'updates.getState' })).toBe('401 AUTH_KEY_UNREGISTERED')
    expect(await outcome(home, { _: 'updates.getState' })).toBe('updates.state')
    expect(server.stats().violations.count).toBe(0)
  }, 60_000)

  it('a token past its 60 s is refused with AUTH_BYTES_INVALID', async () => {
    const home = await client(2)
    await control.fault({ type: 'sign-in', dc: 2 })
    const token = await home.session.api({ _: 'auth.exportAuthorization', dc_id: 5 })
    if (token._ !== 'auth.exportedAuthorization') throw new Error(token._)
    const target = await client(5)
    await control.fault({ type: 'clock-offset', seconds: 61 })
    expect(await outcome(target, { _: 'auth.importAuthorization', id: token.id, bytes: token.bytes })).toBe('400 AUTH_BYTES_INVALID')
  }, 60_000)

  it('with require-authorization off (the default) updates.getState needs no user, as GramJS and mtcute expect', async () => {
    const c = await client(2)
    expect(await outcome(c, { _: 'updates.getState' })).toBe('updates.state')
  }, 30_000)
})
