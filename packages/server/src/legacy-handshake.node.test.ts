import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientHandshake, HandshakeRejected } from './test-support/client-handshake.ts'
import { ClientTransport } from './test-support/client-transport.ts'
import { connectPfs } from './test-support/pfs-client.ts'
import { startTestServer, tcp } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.dispose())

describe('legacy handshakes (issue #13; pfs page: perm "using p_q_inner_data", temp "using p_q_inner_data_temp")', () => {
  it('a perm key from p_q_inner_data and a temp key from p_q_inner_data_temp bind, and calls go under the temp key', async () => {
    const before = server.stats().handshakes.forms
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem, { legacy: true, expiresIn: 600 })
    expect((await c.session.api({ _: 'help.getConfig' }))._).toBe('config')
    const stats = server.stats()
    expect(stats.keys.find((k) => k.id === c.perm.id.toString())).toMatchObject({ kind: 'perm', form: 'p_q_inner_data', dc: 2 })
    const temp = stats.keys.find((k) => k.id === c.temp.id.toString())
    expect(temp).toMatchObject({ kind: 'temp', form: 'p_q_inner_data_temp', dc: 2, boundTo: c.perm.id.toString(), inited: true })
    // the bind may shorten expires_at to its own (integer) expires_at, never lengthen it
    expect(Math.abs(temp!.expiresAt! - temp!.createdAt - 600)).toBeLessThan(2)
    expect(stats.handshakes.forms.p_q_inner_data).toBe((before.p_q_inner_data ?? 0) + 1)
    expect(stats.handshakes.forms.p_q_inner_data_temp).toBe((before.p_q_inner_data_temp ?? 0) + 1)
    expect(stats.violations.count).toBe(0)
    c.close()
  })

  it('the _dc forms are recorded as such, next to the legacy ones', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    const keys = server.stats().keys
    expect(keys.find((k) => k.id === c.perm.id.toString())?.form).toBe('p_q_inner_data_dc')
    expect(keys.find((k) => k.id === c.temp.id.toString())?.form).toBe('p_q_inner_data_temp_dc')
    c.close()
  })

  it('the other checks still hold for the legacy form: expires_in 0 → -404, counted as EXPIRES_IN_INVALID', async () => {
    const failed = server.stats().handshakes.failed.EXPIRES_IN_INVALID ?? 0
    const t = await ClientTransport.open(tcp(server))
    const err = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2, legacy: true, expiresIn: 0 }).catch((e: unknown) => e)
    expect((err as HandshakeRejected).code).toBe(-404)
    expect(server.stats().handshakes.failed.EXPIRES_IN_INVALID).toBe(failed + 1)
    t.close()
  })

  it('a legacy perm key survives a restart with its form (perm-keys.json)', async () => {
    const t = await ClientTransport.open(tcp(server))
    const perm = await clientHandshake(t, { rsaPem: server.rsaPublicKeyPem, dc: 2, legacy: true })
    t.close()
    await server.faults.apply({ type: 'restart' })
    expect(server.stats().keys.find((k) => k.id === perm.id.toString())).toMatchObject({ kind: 'perm', form: 'p_q_inner_data' })
  })
})
