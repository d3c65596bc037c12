/**
 * The default worker: `createWorker()` from @pfs-web/worker, resolved through the
 * workspace package and served by Vite, hosting the real engine.
 */
import { EngineError } from '@pfs-web/worker'
import { afterEach, expect, it } from 'vitest'
import { createPfsClient, type PfsClient } from './client.ts'

const clients: PfsClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
})

function start(): PfsClient {
  const client = createPfsClient({
    dcs: [{ id: 2, url: 'ws://127.0.0.1:1/apiws' }],
    defaultDcId: 2,
    rsaPublicKeys: [],
    app: { apiId: 1, deviceModel: 'test', systemVersion: 'test', appVersion: '0', systemLangCode: 'en', langPack: '', langCode: 'en' },
    layer: 1,
    storageName: `pfs-client-real-worker-${Date.now()}`,
  })
  clients.push(client)
  return client
}

it('starts the engine worker; its init error reaches ready and every later call', async () => {
  const client = start()
  const error: unknown = await client.ready.catch((e: unknown) => e)
  expect(error).toBeInstanceOf(EngineError)
  expect(error).toMatchObject({ code: 'BAD_OPTIONS' })
  await expect(client.states()).rejects.toBe(error)
})
