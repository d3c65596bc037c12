/**
 * Hosting for the consumer app under a strict Content-Security-Policy: a static server for
 * `vite build`'s dist/ and a reverse proxy in front of `vite` dev. Every response, the
 * worker script included, carries the policy, so a worker that compiled WebAssembly or a
 * page that ran inline script would be refused and reported. Violations are counted from
 * the browser's own reports (`report-uri`), which cover the page and its workers alike.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'

export const REPORT_PATH = '/__csp-report'

/** The policy: nothing but same-origin scripts and workers, no eval, no wasm. */
export function strictPolicy(connectSrc: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self'",
    `connect-src 'self' ${connectSrc.join(' ')}`,
    `report-uri ${REPORT_PATH}`,
  ].join('; ')
}

export interface CspReport {
  documentUri: string
  violatedDirective: string
  blockedUri: string
  sourceFile: string
}

export interface CspHost {
  url: string
  reports: CspReport[]
  close(): Promise<void>
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** `report-uri` bodies: `{"csp-report": {...}}` with kebab-case fields. */
async function collectReport(req: IncomingMessage, res: ServerResponse, reports: CspReport[]): Promise<void> {
  const body = JSON.parse(await readBody(req)) as { 'csp-report'?: Record<string, string> }
  const r = body['csp-report'] ?? {}
  reports.push({
    documentUri: r['document-uri'] ?? '',
    violatedDirective: r['violated-directive'] ?? r['effective-directive'] ?? '',
    blockedUri: r['blocked-uri'] ?? '',
    sourceFile: r['source-file'] ?? '',
  })
  res.writeHead(204).end()
}

async function listen(server: Server, reports: CspReport[]): Promise<CspHost> {
  // Upgraded sockets (the dev server's HMR WebSocket) are no longer HTTP connections, so
  // closeAllConnections() would not end them; track every socket instead.
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    reports,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}

/** Serves `root` (a dist/ directory) with `policy` on every response. */
export function serveStatic(root: string, policy: string): Promise<CspHost> {
  const reports: CspReport[] = []
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'POST' && req.url === REPORT_PATH) return collectReport(req, res, reports)
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
      const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path))
      if (!file.startsWith(root + sep)) return void res.writeHead(403).end()
      const info = await stat(file).catch(() => null)
      if (!info?.isFile()) return void res.writeHead(404, { 'content-security-policy': policy }).end()
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': policy,
        'cache-control': 'no-store',
      })
      createReadStream(file).pipe(res)
    })().catch((error: unknown) => res.writeHead(500).end(String(error)))
  })
  return listen(server, reports)
}

/** Forwards to a dev server on `targetPort` (HTTP and its HMR WebSocket), adding `policy`. */
export function proxyWithPolicy(targetPort: number, policy: string): Promise<CspHost> {
  const reports: CspReport[] = []
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === REPORT_PATH) {
      collectReport(req, res, reports).catch((error: unknown) => res.writeHead(500).end(String(error)))
      return
    }
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'content-security-policy': policy })
        up.pipe(res)
      },
    )
    upstream.on('error', (error) => res.writeHead(502).end(String(error)))
    req.pipe(upstream)
  })
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const up = connect(targetPort, '127.0.0.1', () => {
      const headers = Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`]))
      up.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`)
      up.write(head)
      socket.pipe(up).pipe(socket)
    })
    up.on('error', () => socket.destroy())
    socket.on('error', () => up.destroy())
    socket.on('close', () => up.destroy())
  })
  return listen(server, reports)
}
