import type { RunningServer } from '@pfs-web/server'
import type { WorkerOptions } from '../api.ts'

/** WorkerOptions for a DC no socket ever reaches: for tests of the engine's parts on fake ports. Test-only. */
export const OFFLINE_OPTIONS: WorkerOptions = {
  dcs: [{ id: 2, url: 'ws://unused' }],
  defaultDcId: 2,
  rsaPublicKeys: ['unused'],
  app: { apiId: 1, deviceModel: 't', systemVersion: 't', appVersion: 't', systemLangCode: 'en', langPack: '', langCode: 'en' },
  layer: 1,
}

/** WorkerOptions for one engine on DC 2 of a conformance server (started by a test or a bench). Test-only. */
export function engineOptions(server: Pick<RunningServer, 'host' | 'wsPort' | 'rsaPublicKeyPem'>, defaultTimeoutMs?: number): WorkerOptions {
  return {
    dcs: [{ id: 2, url: `ws://${server.host}:${server.wsPort}/apiws` }],
    defaultDcId: 2,
    rsaPublicKeys: [server.rsaPublicKeyPem],
    app: { apiId: 1, deviceModel: 'node', systemVersion: 'test', appVersion: '0.1', systemLangCode: 'en', langPack: '', langCode: 'en' },
    layer: 227,
    ...(defaultTimeoutMs !== undefined ? { defaultTimeoutMs } : {}),
  }
}
