import { afterAll, beforeAll, expect, it } from 'vitest'
import { ManualClock } from './clock.ts'
import { clientHandshake } from './test-support/client-handshake.ts'
import { ClientTransport } from './test-support/client-transport.ts'
import { connectPfs } from './test-support/pfs-client.ts'
import { startTestServer, tcp } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server
const clock = new ManualClock(Date.now() / 1000)

beforeAll(async () => {
  server = await startTestServer({ clock })
})
afterAll(() => server.dispose())

it('auth-key.md: a temp key vanishes at expires_at (injected clock) and then answers -404', async () => {
  const c = await connectPfs(tcp(server), server.rsaPublicKeyPem, { expiresIn: 600 })
  expect((await c.session.api({ _: 'help.getConfig' }))._).toBe('config')
  const view = server.stats().keys.find((k) => k.id === c.temp.id.toString())!
  // The bind's integer expires_at may shave the fraction of a second off the key's lifetime.
  expect(view.expiresAt! - view.createdAt).toBeGreaterThan(598)
  expect(view.expiresAt! - view.createdAt).toBeLessThanOrEqual(600)
  clock.advance(599)
  expect(server.stats().keys.some((k) => k.id === c.temp.id.toString())).toBe(true)
  clock.advance(2)
  await expect(c.session.call({ _: 'help.getConfig' })).rejects.toMatchObject({ code: -404 })
  expect(server.stats().keys.some((k) => k.id === c.temp.id.toString())).toBe(false)
  c.close()
})

it('temp key expires_in is capped by tempKeyMaxExpiresIn (auth-key.md step 5.9)', async () => {
  const t = await ClientTransport.open(tcp(server))
  const temp = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2, expiresIn: 10 ** 7 })
  const view = server.stats().keys.find((k) => k.id === temp.id.toString())!
  expect(view.expiresAt! - view.createdAt).toBe(86400)
  t.close()
})
