import { MemoryStorage, TelegramClient } from '@mtcute/node'
import { addPublicKey, NodeCryptoProvider } from '@mtcute/node/utils.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.dispose())

describe('interop: @mtcute/node 0.30.3 with PFS over TCP (issue #4 "Proof")', () => {
  it('does perm + temp handshakes, binds, and its API calls travel under the bound temp key', async () => {
    const crypto = new NodeCryptoProvider()
    await crypto.initialize?.()
    addPublicKey(crypto, server.rsaPublicKeyPem)
    const dc = { id: 2, ipAddress: server.host, port: server.tcpPort }
    const client = new TelegramClient({
      apiId: 1,
      apiHash: '00000000000000000000000000000000',
      storage: new MemoryStorage(),
      crypto,
      defaultDcs: { main: dc, media: dc },
      network: { usePfs: true },
      logLevel: 0,
      updates: false,
    })
    try {
      await client.connect()
      const config = await client.call({ _: 'help.getConfig' })
      expect(config._).toBe('config')
      const nearest = await client.call({ _: 'help.getNearestDc' })
      expect(nearest.thisDc).toBe(2)
    } finally {
      await client.destroy()
    }
    const stats = server.stats()
    expect(stats.handshakes.perm['2']).toBe(1)
    expect(stats.handshakes.temp['2']).toBe(1)
    expect(stats.binds.ok).toBe(1)
    expect(stats.violations.count).toBe(0)
    const temp = stats.keys.find((k) => k.kind === 'temp')!
    const perm = stats.keys.find((k) => k.kind === 'perm')!
    expect(temp.boundTo).toBe(perm.id)
    expect(temp.inited).toBe(true)
    expect(temp.apiCalls).toBeGreaterThanOrEqual(3)
    expect(perm.apiCalls).toBe(0)
    expect(stats.apiCalls).toMatchObject({ 'auth.bindTempAuthKey': 1, 'help.getConfig': 1, 'help.getNearestDc': 1, 'updates.getState': 1 })
    expect(stats.transportErrors).toEqual({})
    expect(stats.badMsgNotifications).toEqual({})
  })
})
