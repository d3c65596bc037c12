import type { WorkerOptions } from '@pfs-web/client'

/** What scripts/start-demo.mjs serves at /demo-config.json. */
export interface DemoConfig {
  dcs: WorkerOptions['dcs']
  defaultDcId: number
  rsaPublicKeys: string[]
  /** Same-origin prefix proxied to the server's control port. */
  controlBase: string
}

export async function loadDemoConfig(): Promise<DemoConfig> {
  const res = await fetch('/demo-config.json', { cache: 'no-store' })
  if (!res.ok) throw new Error(`/demo-config.json: HTTP ${res.status}`)
  return (await res.json()) as DemoConfig
}
