import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer, type ServerOptions } from '../server.ts'
import type { ClientTransportOptions } from './client-transport.ts'

/** A server on ephemeral loopback ports with a throwaway data dir. */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<RunningServer & { dispose(): Promise<void> }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pfs-server-'))
  const server = await startServer({ ...options, dataDir })
  return Object.assign(server, {
    dispose: async () => {
      await server.close()
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true })
    },
  })
}

export function tcp(server: RunningServer, framing: ClientTransportOptions['framing'] = 'intermediate', obfuscated = false): ClientTransportOptions {
  return { kind: 'tcp', host: server.host, port: server.tcpPort, framing, obfuscated }
}

export function ws(server: RunningServer, framing: ClientTransportOptions['framing'] = 'padded'): ClientTransportOptions {
  return { kind: 'ws', host: server.host, port: server.wsPort, framing, obfuscated: true }
}
