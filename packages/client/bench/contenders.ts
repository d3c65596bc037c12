/**
 * The two ways the page can run a session: through the engine worker (`createPfsClient`,
 * the product) and the same engine on the page's own thread (no Worker, no Comlink), the
 * anchor that isolates the cost of the boundary. Both keep perm keys in IndexedDB.
 */
import {
  createBrowserEnv,
  createEngine,
  createIdbPermKeyStorage,
  type ConfigView,
  type DcStateView,
  type NearestDcView,
  type WorkerOptions,
} from '@pfs-web/worker'
import { wrap } from 'comlink'
import { createPfsClient } from '../src/index.ts'
import type { EchoApi } from './echo-worker.ts'

export type Impl = 'worker' | 'direct'

export interface Session {
  readonly ready: Promise<void>
  connect(): Promise<DcStateView>
  getConfig(): Promise<ConfigView>
  getNearestDc(): Promise<NearestDcView>
  /** Moves `bytes` (the worker path detaches them). */
  saveFilePart(fileId: bigint, part: number, bytes: Uint8Array): Promise<boolean>
  getFile(fileId: bigint, offset: number, limit: number): Promise<Uint8Array>
  close(): Promise<void>
}

export interface ServerInfo {
  wsUrl: string
  rsaPem: string
}

export function workerOptions(server: ServerInfo, storageName: string): WorkerOptions {
  return {
    dcs: [{ id: 2, url: server.wsUrl }],
    defaultDcId: 2,
    rsaPublicKeys: [server.rsaPem],
    app: { apiId: 1, deviceModel: 'bench', systemVersion: navigator.userAgent, appVersion: '0.1', systemLangCode: 'en', langPack: '', langCode: 'en' },
    layer: 227,
    defaultTimeoutMs: 60_000,
    storageName,
  }
}

export function openSession(impl: Impl, server: ServerInfo, storageName: string): Session {
  const options = workerOptions(server, storageName)
  if (impl === 'worker') return createPfsClient(options)
  const engine = createEngine(createBrowserEnv(createIdbPermKeyStorage(storageName)))
  return { ...engine, ready: engine.init(options) }
}

export interface Echo {
  echo(bytes: Uint8Array): Promise<Uint8Array>
  close(): void
}

export function openEcho(): Echo {
  const worker = new Worker(new URL('./echo-worker.ts', import.meta.url), { type: 'module', name: 'echo' })
  const remote = wrap<EchoApi>(worker)
  return { echo: (bytes) => remote.echo(bytes), close: () => worker.terminate() }
}

/** Answers in the order asked (one worker, one port), so a FIFO of resolvers matches them. */
export function openRawEcho(): Echo {
  const worker = new Worker(new URL('./raw-echo-worker.ts', import.meta.url), { type: 'module', name: 'raw-echo' })
  const waiting: ((bytes: Uint8Array) => void)[] = []
  let head = 0
  worker.addEventListener('message', (event: MessageEvent<Uint8Array>) => {
    const resolve = waiting[head++]
    if (head === waiting.length) waiting.length = head = 0
    resolve?.(event.data)
  })
  return {
    echo: (bytes) => new Promise((resolve) => {
      waiting.push(resolve)
      worker.postMessage(bytes)
    }),
    close: () => worker.terminate(),
  }
}

export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = req.onerror = req.onblocked = () => resolve()
  })
}
