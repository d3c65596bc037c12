import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { ControlError, type ControlRefusal, type FaultAction, type ServerInfo, type TempKeyBytes } from '@pfs-web/control-client'
import { longToBytes } from '../primitives/bytes.ts'
import { parseFaultAction } from '../faults.ts'
import type { RunningServer } from '../server.ts'
import type { Listener } from '../transport/listeners.ts'

const MAX_BODY = 64 * 1024

/**
 * The JSON control port (loopback): GET /rsa.pem, /info, /stats; POST /faults; and, only
 * when the server was started with exposeKeyBytes, GET /keys/temp/:id for leak searches.
 * CORS is open so a test page can drive it.
 */
export async function listenControl(host: string, port: number, server: RunningServer, exposeKeys: boolean): Promise<Listener> {
  const http = createServer((req, res) => {
    route(req, res, server, exposeKeys).catch((err: unknown) => {
      const code = err instanceof ControlError ? String(err.code) : 'INTERNAL'
      json(res, err instanceof ControlError ? 400 : 500, { error: code, message: err instanceof Error ? err.message : '' } satisfies ControlRefusal)
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, host, () => resolve())
  })
  const address = http.address()
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}

async function route(req: IncomingMessage, res: ServerResponse, server: RunningServer, exposeKeys: boolean): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  res.setHeader('access-control-allow-origin', '*')
  res.setHeader('access-control-allow-headers', 'content-type')
  if (req.method === 'OPTIONS') return void res.writeHead(204).end()
  if (req.method === 'GET' && path === '/rsa.pem') {
    res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(server.rsaPublicKeyPem)
    return
  }
  if (req.method === 'GET' && path === '/info') return json(res, 200, info(server))
  if (req.method === 'GET' && path === '/stats') return json(res, 200, server.stats())
  if (req.method === 'GET' && path === '/faults') return json(res, 200, server.faults.state())
  if (req.method === 'POST' && path === '/faults') {
    const body = await readJson(req)
    const actions: FaultAction[] = (Array.isArray(body) ? body : [body]).map(parseFaultAction)
    return json(res, 200, await server.faults.apply(actions))
  }
  const keyMatch = /^\/keys\/temp\/(-?\d+)$/.exec(path)
  if (req.method === 'GET' && keyMatch !== null && exposeKeys) {
    const hex = server.tempKeyHex(keyMatch[1]!)
    if (hex === null) return json(res, 404, { error: 'NO_SUCH_KEY' } satisfies ControlRefusal)
    return json(res, 200, { id: keyMatch[1]!, hex } satisfies TempKeyBytes)
  }
  json(res, 404, { error: 'NOT_FOUND' } satisfies ControlRefusal)
}

function info(server: RunningServer): ServerInfo {
  return {
    host: server.host,
    tcpPort: server.tcpPort,
    wsPort: server.wsPort,
    controlPort: server.controlPort,
    wsUrl: `ws://${server.host}:${server.wsPort}/apiws`,
    fingerprint: server.fingerprint.toString(),
    fingerprintHex: longToBytes(server.fingerprint).toString('hex'),
    rsaPublicKeyPem: server.rsaPublicKeyPem,
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new ControlError('BODY_TOO_LARGE')
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch {
    throw new ControlError('BAD_JSON')
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
