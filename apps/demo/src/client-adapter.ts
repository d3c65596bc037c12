import type { ConfigView, DcStateView, KeyEvent, NearestDcView, Sharing, WorkerOptions } from '@pfs-web/client'
import type { DemoConfig } from './demo-config.ts'
import { createPfsClient } from '@pfs-web/client'

type Unsubscribe = () => void

/** The part of the client the page uses; the real `createPfsClient` satisfies it. */
export interface DemoClient {
  connect(dcId?: number): Promise<DcStateView>
  getConfig(dcId?: number): Promise<ConfigView>
  getNearestDc(dcId?: number): Promise<NearestDcView>
  /** `bytes` may be transferred to the worker (detached): pass a copy you can lose. */
  saveFilePart(fileId: bigint, filePart: number, bytes: Uint8Array, options?: { dcId?: number }): Promise<boolean>
  getFile(fileId: bigint, offset: number, limit: number, options?: { dcId?: number }): Promise<Uint8Array>
  subscribe(listener: (states: DcStateView[]) => void): Unsubscribe | Promise<Unsubscribe>
  onKeyEvent(listener: (event: KeyEvent) => void): Unsubscribe | Promise<Unsubscribe>
  rotateNow(dcId?: number): Promise<void>
  states(): Promise<DcStateView[]>
  close(): Promise<void>
}

export function clientOptions(config: DemoConfig): WorkerOptions {
  return {
    dcs: config.dcs,
    defaultDcId: config.defaultDcId,
    rsaPublicKeys: config.rsaPublicKeys,
    layer: 228,
    app: {
      apiId: 1,
      deviceModel: 'pfs-web demo',
      systemVersion: navigator.userAgent.includes('Linux') ? 'Linux' : 'web',
      appVersion: '0.1.0',
      systemLangCode: 'en',
      langPack: '',
      langCode: 'en',
    },
  }
}

const SHARING: readonly Sharing[] = ['shared-worker', 'leader', 'none']

/** `?sharing=leader` (or `none`, `shared-worker`) picks how tabs share the engine; default: the client's best. */
export function sharingFrom(search: string): Sharing | undefined {
  const asked = new URLSearchParams(search).get('sharing')
  return SHARING.find((s) => s === asked)
}

export function createDemoClient(config: DemoConfig, sharing?: Sharing): DemoClient {
  return createPfsClient({ ...clientOptions(config), sharing })
}
