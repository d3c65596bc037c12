import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectPfs } from './test-support/pfs-client.ts'
import { startTestServer, tcp, ws } from './test-support/server-fixture.ts'
import type { ClientTransportOptions } from './test-support/client-transport.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.dispose())

describe('PFS start-up on every transport (issue #4, pfs-and-errors.md §5)', () => {
  const cases: { name: string; opts: (s: Server) => ClientTransportOptions }[] = [
    { name: 'tcp abridged', opts: (s) => tcp(s, 'abridged') },
    { name: 'tcp intermediate', opts: (s) => tcp(s, 'intermediate') },
    { name: 'tcp padded intermediate', opts: (s) => tcp(s, 'padded') },
    { name: 'tcp obfuscated intermediate', opts: (s) => tcp(s, 'intermediate', true) },
    { name: 'ws obfuscated padded (dd)', opts: (s) => ws(s, 'padded') },
    { name: 'ws obfuscated intermediate (ee)', opts: (s) => ws(s, 'intermediate') },
  ]
  it.each(cases)('$name: perm + temp handshake, bind, getConfig under the bound temp key', async ({ opts }) => {
    const c = await connectPfs(opts(server), server.rsaPublicKeyPem)
    const config = await c.session.api({ _: 'help.getConfig' })
    expect(config._).toBe('config')
    const state = await c.session.api({ _: 'updates.getState' })
    expect(state._).toBe('updates.state')
    const stats = server.stats()
    const temp = stats.keys.find((k) => k.id === c.temp.id.toString())
    expect(temp).toMatchObject({ kind: 'temp', boundTo: c.perm.id.toString(), inited: true, layer: 227 })
    expect(temp!.apiCalls).toBe(3)
    expect(stats.violations.count).toBe(0)
    expect(c.session.serverMsgIds.every((id) => id % 2n === 1n)).toBe(true)
    c.close()
  })
})
