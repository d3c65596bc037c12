/**
 * vitest globalSetup for the Chromium project: one conformance server on ephemeral ports
 * in a temp directory, shared by the browser e2e tests through `inject('pfsServer')`.
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

declare module 'vitest' {
  export interface ProvidedContext {
    pfsServer: PfsServerInfo
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pfs-client-e2e-'))
  // exposeKeyBytes: the leak scans fetch temp key bytes from GET /keys/temp/:id.
  const server = await startServer({ dataDir, tcpPort: 0, wsPort: 0, controlPort: 0, exposeKeyBytes: true })
  project.provide('pfsServer', {
    wsUrl: `ws://${server.host}:${server.wsPort}/apiws`,
    controlUrl: `http://${server.host}:${server.controlPort}`,
    rsaPem: server.rsaPublicKeyPem,
  })
  return async () => {
    await server.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
