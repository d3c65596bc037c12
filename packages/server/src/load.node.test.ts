import { afterAll, beforeAll, expect, it } from 'vitest'
import { runLoad } from './test-support/load.ts'
import { startTestServer, tcp } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.dispose())

// The 200-client run is bench/load.ts; this is its small sibling kept in the suite.
it('20 concurrent clients: handshakes + bind + 20 calls each with 0 errors', async () => {
  const result = await runLoad(tcp(server, 'padded', true), server.rsaPublicKeyPem, 20, 20)
  expect(result.firstError).toBeNull()
  expect(result.errors).toBe(0)
  expect(result.calls).toBe(400)
  const stats = server.stats()
  expect(stats.binds.ok).toBe(20)
  expect(stats.violations.count).toBe(0)
  expect(stats.transportErrors).toEqual({})
}, 60_000)
