import { createServer, type Server, type Socket } from 'node:net'
import type { Server as HttpServer } from 'node:http'
import { createServer as createHttpServer } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Connection } from './connection.ts'
import type { ByteSink } from './stream.ts'

export interface Listener {
  port: number
  close(): Promise<void>
}

/** What a listener hands each accepted socket to (server-core.ts). */
export interface Acceptor {
  accept(sink: ByteSink, transport: 'tcp' | 'ws', mediaOnly?: boolean): Connection
}

export const MEDIA_PATH = '/apiws_media'

/** Plain TCP: abridged, intermediate, padded intermediate and obfuscated on one port. */
export async function listenTcp(
  host: string,
  port: number,
  core: Acceptor,
): Promise<Listener> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.setNoDelay(true)
    const conn = core.accept({ write: (b) => socket.write(b), close: () => socket.destroy() }, 'tcp')
    socket.on('data', (d) => conn.receive(d))
    socket.on('close', () => {
      sockets.delete(socket)
      conn.ended()
    })
    socket.on('error', () => conn.ended())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return {
    port: addressPort(server),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/**
 * WebSocket on /apiws, subprotocol `binary`, obfuscation required (transports.md §4).
 * /apiws_media plays the media-only side of every DC (dc_options media_only), whose temp
 * keys must carry a negative dc (auth-key.md): one port can then serve both sides.
 */
export async function listenWs(
  host: string,
  port: number,
  maxFrameLength: number,
  core: Acceptor,
): Promise<Listener> {
  const http: HttpServer = createHttpServer((_req, res) => {
    res.writeHead(426).end()
  })
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxFrameLength + 64,
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  })
  http.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0]
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())
    if ((path !== '/apiws' && path !== '/apiws_test' && path !== MEDIA_PATH) || !protocols.includes('binary')) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachWs(ws, core, path === MEDIA_PATH))
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, host, () => resolve())
  })
  return {
    port: addressPort(http),
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}

function attachWs(ws: WebSocket, core: Acceptor, mediaOnly: boolean): void {
  const conn = core.accept({ write: (b) => ws.send(b, { binary: true }), close: () => ws.close(1000) }, 'ws', mediaOnly)
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return conn.close()
    const chunks = Array.isArray(data) ? data : [Buffer.from(data as ArrayBuffer)]
    for (const c of chunks) conn.receive(c)
  })
  ws.on('close', () => conn.ended())
  ws.on('error', () => conn.ended())
}

function addressPort(server: { address(): unknown }): number {
  const a = server.address()
  if (a === null || typeof a !== 'object' || !('port' in a)) throw new Error('server has no port')
  return (a as { port: number }).port
}
