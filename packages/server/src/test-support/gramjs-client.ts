/**
 * GramJS 2.26 (npm `telegram`) pointed at the conformance server, for the interop test.
 * Test-only. GramJS has no PFS: it makes one perm key with the legacy p_q_inner_data and
 * sends every call under it. It knows only Telegram's RSA keys and always dials port 80
 * (443 with WSS), so the server's key is added to its table and the port is pinned by a
 * connection subclass (GramJS takes the connection as a class option).
 */
import { createPublicKey } from 'node:crypto'
import { Api, TelegramClient } from 'telegram'
import { _serverKeys } from 'telegram/crypto/RSA.js'
import { Logger, LogLevel } from 'telegram/extensions/Logger.js'
import { PromisedNetSockets } from 'telegram/extensions/PromisedNetSockets.js'
import { PromisedWebSockets } from 'telegram/extensions/PromisedWebSockets.js'
import { readBigIntFromBuffer } from 'telegram/Helpers.js'
import { ConnectionTCPAbridged, ConnectionTCPObfuscated } from 'telegram/network/connection/index.js'
import { StringSession } from 'telegram/sessions/index.js'
import type { RunningServer } from '../server.ts'

export type GramJsTransport = 'tcp-abridged' | 'ws-obfuscated'

type ConnectionClass = typeof ConnectionTCPAbridged
type ConnectionParams = ConstructorParameters<ConnectionClass>[0]

/** `Base` with its port fixed: GramJS ignores the session's port when it connects. */
function pinnedPort(Base: ConnectionClass, port: number): ConnectionClass {
  return class extends Base {
    constructor(params: ConnectionParams) {
      super({ ...params, port })
    }
  }
}

/** Lets GramJS's RSA_PAD step find the server's key by the fingerprint in resPQ. */
export function trustServerKey(server: RunningServer): void {
  const jwk = createPublicKey(server.rsaPublicKeyPem).export({ format: 'jwk' })
  const n = readBigIntFromBuffer(Buffer.from(jwk.n!, 'base64url'), false, false)
  _serverKeys.set(server.fingerprint.toString(), { n, e: 65537 })
}

export interface GramJsRun {
  config: Api.TypeConfig
}

/**
 * Connects over `transport`, calls help.getConfig once more after connect()'s own
 * invokeWithLayer(initConnection(help.getConfig)), and always destroys the client. Every
 * wait is bounded: GramJS's own timeout is 5 s, it does not reconnect, and destroy() is
 * given 5 s.
 */
export async function runGramJs(server: RunningServer, transport: GramJsTransport): Promise<GramJsRun> {
  trustServerKey(server)
  const tcp = transport === 'tcp-abridged'
  const client = new TelegramClient(new StringSession(''), 1, '0'.repeat(32), {
    connection: pinnedPort(tcp ? ConnectionTCPAbridged : ConnectionTCPObfuscated, tcp ? server.tcpPort : server.wsPort),
    networkSocket: tcp ? PromisedNetSockets : PromisedWebSockets,
    // a second attempt: GramJS fails 1 handshake in 256 (it drops auth_key's leading zeros)
    connectionRetries: 2,
    requestRetries: 1,
    autoReconnect: false,
    timeout: 5,
    baseLogger: new Logger(LogLevel.NONE),
    deviceModel: 'interop-test',
    systemVersion: 'node',
    appVersion: '1',
  })
  // StringSession stores the port as an int16 and GramJS dials the pinned one anyway
  client.session.setDC(2, server.host, 80)
  try {
    const connected = await client.connect()
    if (!connected) throw new Error('GramJS did not connect')
    const config = await client.invoke(new Api.help.GetConfig())
    return { config }
  } finally {
    await Promise.race([client.destroy(), new Promise((r) => setTimeout(r, 5000).unref())])
  }
}
