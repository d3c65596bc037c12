/**
 * vitest globalSetup for the Chromium project: one conformance server on ephemeral ports
 * in a temp directory, shared by the browser e2e tests through `inject('pfsServer')`, and
 * one more per name in ISOLATED_SERVERS (`inject('pfsServers')`) for suites that inject
 * server-wide faults (storms, restarts, clock skew) and must not disturb anyone else.
 * It runs in Node, beside the browser.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '@pfs-web/server'
import type { TestProject } from 'vitest/node'

export interface PfsServerInfo {
  /** e.g. ws://127.0.0.1:41234/apiws */
  wsUrl: string
  /** e.g. http://127.0.0.1:41235 (GET /stats, POST /faults) */
  controlUrl: string
  rsaPem: string
}

/** One private server per lifecycle suite (packages/client/src/lifecycle/). */
export const ISOLATED_SERVERS = ['rotation', 'faults', 'storm', 'leak', 'tabs'] as const
export type IsolatedServerName = (typeof ISOLATED_SERVERS)[number]

declare module 'vitest' {
  export interface ProvidedContext {
    pfsServer: PfsServerInfo
    pfsServers: Record<IsolatedServerName, PfsServerInfo>
  }
}

async function start(): Promise<{ info: PfsServerInfo; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pfs-client-e2e-'))
  // exposeKeyBytes: the leak scans fetch temp key bytes from GET /keys/temp/:id.
  const server = await startServer({ dataDir, tcpPort: 0, wsPort: 0, controlPort: 0, exposeKeyBytes: true })
  return {
    info: {
      wsUrl: `ws://${server.host}:${server.wsPort}/apiws`,
      controlUrl: `http://${server.host}:${server.controlPort}`,
      rsaPem: server.rsaPublicKeyPem,
    },
    stop: async () => {
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = await start()
  const isolated = await Promise.all(ISOLATED_SERVERS.map(async (name) => [name, await start()] as const))
  project.provide('pfsServer', shared.info)
  project.provide('pfsServers', Object.fromEntries(isolated.map(([name, s]) => [name, s.info])) as Record<IsolatedServerName, PfsServerInfo>)
  return async () => {
    await Promise.all([shared, ...isolated.map(([, s]) => s)].map((s) => s.stop()))
  }
}
