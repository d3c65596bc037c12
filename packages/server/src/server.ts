/**
 * The conformance server on real sockets: the core (server-core.ts) on the system clock,
 * behind a TCP listener, a WebSocket listener and the JSON control port.
 */
import type { ServerStats } from '@pfs-web/control-client'
import { listenControl } from './control/http.ts'
import { createServerCore, type CoreOptions, type FaultsApi } from './server-core.ts'
import { systemServerEnv, type ServerEnv } from './server-env.ts'
import type { Clock } from './clock.ts'
import { listenTcp, listenWs, type Listener } from './transport/listeners.ts'

export type { FaultsApi } from './server-core.ts'

export interface ServerOptions extends CoreOptions {
  host?: string
  /** 0 picks a free port. */
  tcpPort?: number
  wsPort?: number
  controlPort?: number
  dataDir: string
  clock?: Clock
}

export interface RunningServer {
  host: string
  tcpPort: number
  wsPort: number
  controlPort: number
  rsaPublicKeyPem: string
  /** TL long, as sent in resPQ. */
  fingerprint: bigint
  stats(): ServerStats
  faults: FaultsApi
  /** Temp key bytes (hex) by decimal id; only with exposeKeyBytes. */
  tempKeyHex(id: string): string | null
  close(): Promise<void>
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const env: ServerEnv = options.clock === undefined ? systemServerEnv : { ...systemServerEnv, clock: options.clock }
  const core = createServerCore(options, env)
  const maxFrameLength = options.maxFrameLength ?? 2 * 1024 * 1024
  const tcp = await listenTcp(host, options.tcpPort ?? 0, core)
  const ws = await listenWs(host, options.wsPort ?? 0, maxFrameLength, core)
  core.setDcAddress(host, tcp.port)
  const holder: { control: Listener | null } = { control: null }
  const server: RunningServer = {
    host,
    tcpPort: tcp.port,
    wsPort: ws.port,
    controlPort: 0,
    rsaPublicKeyPem: core.rsaPublicKeyPem,
    fingerprint: core.fingerprint,
    stats: () => core.stats(),
    faults: core.faults,
    tempKeyHex: (id) => core.tempKeyHex(id),
    close: async () => {
      core.close()
      await Promise.all([tcp.close(), ws.close(), holder.control?.close()])
    },
  }
  holder.control = await listenControl(host, options.controlPort ?? 0, server, options.exposeKeyBytes === true)
  server.controlPort = holder.control.port
  return server
}
