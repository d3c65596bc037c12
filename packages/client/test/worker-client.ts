/** A client over a real engine worker against the suite's conformance server, and its teardown. */
import { createWorker } from '@pfs-web/worker'
import { createPfsClient } from '../src/client.ts'
import type { PfsClient } from '../src/client.ts'
import type { PfsServerInfo } from './global-setup.ts'

export interface WorkerClient {
  client: PfsClient
  /** Closes the client and deletes its IndexedDB. */
  dispose(): Promise<void>
}

export function workerClient(server: PfsServerInfo, name: string, defaultTimeoutMs = 30_000): WorkerClient {
  const storageName = `${name}-${Date.now()}`
  const client = createPfsClient({
    worker: createWorker(),
    dcs: [{ id: 2, url: server.wsUrl }],
    defaultDcId: 2,
    rsaPublicKeys: [server.rsaPem],
    app: { apiId: 1, deviceModel: 'chromium', systemVersion: 'test', appVersion: '0.1', systemLangCode: 'en', langPack: '', langCode: 'en' },
    layer: 227,
    defaultTimeoutMs,
    storageName,
  })
  const dispose = async (): Promise<void> => {
    await client.close()
    await new Promise((resolve) => {
      const req = indexedDB.deleteDatabase(storageName)
      req.onsuccess = req.onerror = req.onblocked = resolve
    })
  }
  return { client, dispose }
}
