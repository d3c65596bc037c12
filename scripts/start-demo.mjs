#!/usr/bin/env node
// Starts the conformance server and the demo page's Vite dev server, and stops both on
// Ctrl-C/SIGTERM. The page learns where the server is from /demo-config.json; the
// server's control port is proxied under /control so the fault buttons are same-origin.
//
//   node scripts/start-demo.mjs [--port 5173] [--tcp-port 9443] [--ws-port 9444]
//                               [--control-port 9445] [--data .server-data/demo] [--fresh]
//                               [--dcs 1,2,3] [--dc 2] [--expose-keys]
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { rm, mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { dirname, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createServer } from 'vite'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const HOST = '127.0.0.1'
const READY_LINE = 'pfs-server ready'
const READY_TIMEOUT_MS = 60_000

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PFS_DEMO_PORT ?? '5173' },
    'tcp-port': { type: 'string', default: process.env.PFS_DEMO_TCP_PORT ?? '9443' },
    'ws-port': { type: 'string', default: process.env.PFS_DEMO_WS_PORT ?? '9444' },
    'control-port': { type: 'string', default: process.env.PFS_DEMO_CONTROL_PORT ?? '9445' },
    data: { type: 'string', default: process.env.PFS_DEMO_DATA ?? '.server-data/demo' },
    fresh: { type: 'boolean', default: process.env.PFS_DEMO_FRESH === '1' },
    // The server serves DCs 1–5 on one endpoint; the page offers these, starting on --dc.
    dcs: { type: 'string', default: '1,2,3' },
    dc: { type: 'string', default: '2' },
    // Test runs only: lets a leak scan fetch temp key bytes from the control port.
    'expose-keys': { type: 'boolean', default: false },
  },
})

const ports = {
  web: Number(args.port),
  tcp: Number(args['tcp-port']),
  ws: Number(args['ws-port']),
  control: Number(args['control-port']),
}
const dataDir = resolve(root, args.data)
const controlUrl = `http://${HOST}:${ports.control}`
const serverArgs = [
  '--import', 'tsx', 'packages/server/src/cli.ts',
  '--host', HOST,
  '--tcp-port', String(ports.tcp),
  '--ws-port', String(ports.ws),
  '--control-port', String(ports.control),
  '--data', dataDir,
  ...(args['expose-keys'] ? ['--expose-keys'] : []),
]

function log(line) {
  process.stdout.write(`demo   │ ${line}\n`)
}

/** The server process. */
let server = null
let stopping = false

function startServer() {
  // node --import tsx directly (not npx) so our signals reach the server itself.
  const child = spawn(process.execPath, serverArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const ready = new Promise((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new Error(`server not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)
    const onLine = (line) => {
      process.stdout.write(`server │ ${line}\n`)
      if (line.includes(READY_LINE)) {
        clearTimeout(timer)
        resolveReady()
      }
    }
    createInterface({ input: child.stdout }).on('line', onLine)
    createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`server │ ${line}\n`))
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      rejectReady(new Error(`server exited before ready (code ${code}, signal ${signal})`))
    })
  })
  child.once('exit', (code, signal) => {
    if (server !== child || stopping) return
    // Ctrl-C reaches the server too (same process group) and it exits 0 on its own.
    if (code === 0) return void shutdown(0)
    log(`server exited unexpectedly (code ${code}, signal ${signal}); stopping`)
    void shutdown(1)
  })
  server = child
  return ready
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolveExit) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolveExit()
    })
    child.kill('SIGTERM')
  })
}

/** GET /info: the server's ws URL and RSA public key, which the page's client needs. */
async function fetchInfo() {
  const res = await fetch(`${controlUrl}/info`)
  if (!res.ok) throw new Error(`GET /info: HTTP ${res.status}`)
  return res.json()
}

function demoPlugin(demoConfig) {
  return {
    name: 'pfs-demo-config',
    configureServer(vite) {
      vite.middlewares.use('/demo-config.json', (_req, res) => {
        res.setHeader('content-type', 'application/json')
        res.setHeader('cache-control', 'no-store')
        res.end(JSON.stringify(demoConfig))
      })
    },
  }
}

let vite = null

async function shutdown(code) {
  if (stopping) return
  stopping = true
  await Promise.allSettled([vite?.close(), server ? stopProcess(server) : undefined])
  process.exit(code)
}

process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))

try {
  if (args.fresh) await rm(dataDir, { recursive: true, force: true })
  await mkdir(dataDir, { recursive: true })
  await startServer()
  const info = await fetchInfo()
  const demoConfig = {
    dcs: args.dcs.split(',').map((id) => ({ id: Number(id), url: info.wsUrl })),
    defaultDcId: Number(args.dc),
    rsaPublicKeys: [info.rsaPublicKeyPem],
    controlBase: '/control',
  }
  vite = await createServer({
    configFile: false,
    root: resolve(root, 'apps/demo'),
    clearScreen: false,
    logLevel: 'warn',
    server: {
      host: HOST,
      port: ports.web,
      strictPort: true,
      // A page reload wipes the session being watched (and a half-done e2e run), so
      // edits elsewhere in the workspace must not trigger one: no HMR, no watcher.
      hmr: false,
      watch: null,
      fs: { allow: [root] },
      proxy: {
        '/control': { target: controlUrl, changeOrigin: true, rewrite: (path) => path.replace(/^\/control/, '') },
      },
    },
    // Vite reloads the page when it meets a dependency its start-up scan missed, which
    // would wipe a half-done run. The scan does not follow `new Worker(new URL(…))`, so
    // the worker's entry is scanned too.
    optimizeDeps: { entries: ['index.html', relative(resolve(root, 'apps/demo'), resolve(root, 'packages/worker/src/entry.ts'))] },
    plugins: [demoPlugin(demoConfig)],
  })
  await vite.listen()
  log(`conformance server: ${info.wsUrl}  tcp ${HOST}:${ports.tcp}  control ${controlUrl}`)
  log(`demo page: http://${HOST}:${ports.web}/`)
  log('Ctrl-C stops both')
} catch (err) {
  process.stderr.write(`demo   │ failed to start: ${err?.message ?? err}\n`)
  await shutdown(1)
}
