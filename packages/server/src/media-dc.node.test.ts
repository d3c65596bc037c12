/**
 * Media-only DCs (issue #15; auth-key.md "dc": negative for a media-only DC, and a dc that
 * does not match the server is answered with -444). The server plays every DC's media-only
 * side on /apiws_media: a temp key made there must carry -dc, and binds to the DC's perm key
 * next to the main connection's temp key.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { clientHandshake, HandshakeRejected } from './test-support/client-handshake.ts'
import { ClientSession } from './test-support/client-session.ts'
import { ClientTransport } from './test-support/client-transport.ts'
import { connectPfs } from './test-support/pfs-client.ts'
import { startTestServer, ws } from './test-support/server-fixture.ts'

let server: Awaited<ReturnType<typeof startTestServer>>
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.dispose()
})

const media = () => ({ ...ws(server), path: '/apiws_media' })

it('a temp key with a positive dc on a media-only endpoint is refused with -444 and never made', async () => {
  const t = await ClientTransport.open(media())
  const keysBefore = server.stats().keys.length
  const err = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2, expiresIn: 3600 }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(HandshakeRejected)
  expect((err as HandshakeRejected).code).toBe(-444)
  expect(server.stats().keys.length).toBe(keysBefore)
  t.close()
})

it('a temp key with dc -2 there is made as media, binds to the perm key beside the main temp key, and answers calls', async () => {
  const main = await connectPfs(ws(server), server.rsaPublicKeyPem)
  const t = await ClientTransport.open(media())
  const temp = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: -2, expiresIn: 3600 })
  const session = new ClientSession(t, temp)
  expect((await session.bind(main.perm))._).toBe('boolTrue')
  expect((await session.api({ _: 'help.getNearestDc' }))._).toBe('nearestDc')
  // the main connection's key is still bound and still answers: several bindings per perm key
  expect((await main.session.api({ _: 'help.getNearestDc' }))._).toBe('nearestDc')
  const keys = server.stats().keys
  const perm = main.perm.id.toString()
  expect(keys.find((k) => k.id === temp.id.toString())).toMatchObject({ kind: 'temp', dc: 2, media: true, boundTo: perm })
  expect(keys.find((k) => k.id === main.temp.id.toString())).toMatchObject({ kind: 'temp', dc: 2, media: false, boundTo: perm })
  expect(server.stats().violations.count).toBe(0)
  main.close()
  t.close()
})

it('the main endpoint still takes a positive dc, and the media endpoint a perm key with one', async () => {
  const t = await ClientTransport.open(media())
  const perm = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2 })
  expect(server.stats().keys.find((k) => k.id === perm.id.toString())).toMatchObject({ kind: 'perm', media: false })
  t.close()
})
