/**
 * mtcute pointed at the conformance server with PFS on, for the interop tests. Test-only.
 *
 * - 0.30.3 is `@mtcute/node`: its TCP transport (intermediate framing) as shipped.
 * - 0.31.0 is `@mtcute/core` (installed as `mtcute-core-031`; it has no `@mtcute/node` of
 *   its own yet), on a small Node platform: its own codecs, @fuman's TCP and WebSocket
 *   connections and `@mtcute/node`'s crypto provider (the crypto interface is unchanged).
 *   Its `@fuman/*` 0.0.21 and `@mtcute/file-id` 0.31.0 are not on the registry; the
 *   workspace overrides them with the newest published versions.
 * - WebSocket is obfuscated intermediate over `ws://HOST:PORT/apiws` with the `binary`
 *   subprotocol, as mtcute's web transport sends it.
 */
import { connectWs } from '@fuman/net'
import { connectTcp } from '@fuman/node'
import * as v30 from '@mtcute/node'
import { addPublicKey as addPublicKey30, NodeCryptoProvider } from '@mtcute/node/utils.js'
import * as v31 from 'mtcute-core-031'
import { TelegramClient as TelegramClient31 } from 'mtcute-core-031/client.js'
import { addPublicKey as addPublicKey31 } from 'mtcute-core-031/utils.js'
import WebSocket from 'ws'
import type { RunningServer } from '../server.ts'
import { startTestServer } from './server-fixture.ts'

/**
 * mtcute (0.30.3 and 0.31.0) indexes the keys given to addPublicKey by the fingerprint's
 * zero-padded hex but looks up resPQ's fingerprints unpadded, so it never finds a key
 * whose fingerprint starts with a zero nibble: 1 fresh server key in 16. Telegram's keys
 * do not, so this starts test servers until one has a key mtcute can find.
 */
export async function startServerForMtcute(): Promise<Awaited<ReturnType<typeof startTestServer>>> {
  for (let attempt = 0; attempt < 16; attempt++) {
    const server = await startTestServer()
    if (BigInt.asUintN(64, server.fingerprint) >> 60n !== 0n) return server
    await server.dispose()
  }
  throw new Error('16 server keys in a row had a fingerprint mtcute cannot look up')
}

export type MtcuteVersion = '0.30.3' | '0.31.0'
export type MtcuteTransport = 'tcp' | 'ws'

/** The calls the tests make, on either version. */
export interface MtcuteClient {
  connect(): Promise<void>
  getConfig(): Promise<{ thisDc: number }>
  getNearestDc(): Promise<{ thisDc: number }>
  destroy(): Promise<void>
}

const common = { apiId: 1, apiHash: '0'.repeat(32), network: { usePfs: true }, logLevel: 0, updates: false as const }

/** A Node platform for @mtcute/core 0.31.0: silent, no exit hooks. */
const quietPlatform = {
  beforeExit: () => () => undefined,
  log: () => undefined,
  getDefaultLogLevel: () => null,
  getDeviceModel: () => 'interop-test',
}

export async function mtcuteClient(server: RunningServer, version: MtcuteVersion, transport: MtcuteTransport): Promise<MtcuteClient> {
  const crypto = new NodeCryptoProvider()
  await crypto.initialize?.()
  const dc = { id: 2, ipAddress: server.host, port: server.tcpPort }
  const wsUrl = `ws://${server.host}:${server.wsPort}/apiws`
  const connectSocket = (): ReturnType<typeof connectWs> => connectWs({ url: wsUrl, implementation: WebSocket as never, protocols: 'binary' })
  if (version === '0.30.3') {
    addPublicKey30(crypto, server.rsaPublicKeyPem)
    const ws = { connect: connectSocket, packetCodec: () => new v30.ObfuscatedPacketCodec(new v30.IntermediatePacketCodec()) }
    const client = new v30.TelegramClient({
      ...common,
      crypto,
      storage: new v30.MemoryStorage(),
      defaultDcs: { main: dc, media: dc },
      ...(transport === 'ws' ? { transport: ws } : {}),
    })
    return {
      connect: () => client.connect().then(() => undefined),
      getConfig: () => client.call({ _: 'help.getConfig' }),
      getNearestDc: () => client.call({ _: 'help.getNearestDc' }),
      destroy: () => client.destroy(),
    }
  }
  addPublicKey31(crypto, server.rsaPublicKeyPem)
  const codec = (): v31.IPacketCodec => new v31.IntermediatePacketCodec()
  const client = new TelegramClient31({
    ...common,
    crypto,
    platform: quietPlatform,
    storage: new v31.MemoryStorage(),
    defaultDcs: { main: dc, media: dc },
    transport:
      transport === 'tcp'
        ? { connect: (d) => connectTcp({ address: d.ipAddress, port: d.port }), packetCodec: codec }
        : { connect: connectSocket, packetCodec: () => new v31.ObfuscatedPacketCodec(codec()) },
  })
  return {
    connect: () => client.connect().then(() => undefined),
    getConfig: () => client.call({ _: 'help.getConfig' }),
    getNearestDc: () => client.call({ _: 'help.getNearestDc' }),
    destroy: () => client.destroy(),
  }
}
