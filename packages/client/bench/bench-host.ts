/**
 * What the page benchmarks (run.ts, transfer.ts) stand on: the conformance server on
 * ephemeral loopback ports, a Vite dev server for the bench pages and headless Debian
 * Chromium on one of them, all closed by shutDown() whether the run ends or hits its cap.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer } from '@pfs-web/server'
import { chromium, type Browser, type Page } from 'playwright'
import { createServer, type ViteDevServer } from 'vite'

const here = dirname(fileURLToPath(import.meta.url))
const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

type Server = Awaited<ReturnType<typeof startServer>>

export interface BenchPage {
  page: Page
  server: Server
  /** ws URL and RSA key for the page's clients. */
  serverInfo: { wsUrl: string; rsaPem: string }
  browserVersion: string
}

const open: { server?: Server; dataDir?: string; vite?: ViteDevServer; browser?: Browser } = {}

/** Idempotent: the normal path and the time cap both end here. */
export async function shutDown(): Promise<void> {
  const { browser, vite, server, dataDir } = open
  delete open.browser; delete open.vite; delete open.server; delete open.dataDir
  await browser?.close().catch(() => undefined)
  await vite?.close().catch(() => undefined)
  await server?.close().catch(() => undefined)
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
}

/** Starts everything and loads `html` (a page in this folder) until `global` is defined on its window. */
export async function openBenchPage(html: string, global: string): Promise<BenchPage> {
  open.dataDir = mkdtempSync(join(tmpdir(), 'pfs-bench-'))
  open.server = await startServer({ dataDir: open.dataDir, tcpPort: 0, wsPort: 0, controlPort: 0 })
  const server = open.server
  open.vite = await createServer({
    root: here,
    configFile: false,
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false, watch: null },
  })
  await open.vite.listen()
  const address = open.vite.httpServer?.address()
  if (address === null || address === undefined || typeof address === 'string') throw new Error('vite did not listen')
  open.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs })
  const page = await open.browser.newPage()
  page.on('console', (m) => process.stdout.write(`  ${m.text()}\n`))
  page.on('pageerror', (e) => process.stdout.write(`  page error: ${e.message}\n`))
  await page.goto(`http://127.0.0.1:${address.port}/${html}`)
  await page.waitForFunction((name) => name in window, global, { timeout: 60_000 })
  const serverInfo = { wsUrl: `ws://${server.host}:${server.wsPort}/apiws`, rsaPem: server.rsaPublicKeyPem }
  return { page, server, serverInfo, browserVersion: open.browser.version() }
}

/** Runs `main`, shutting everything down after it or after `capMs`, whichever comes first. */
export function runCapped(name: string, capMs: number, main: () => Promise<void>): void {
  let capped = false
  const cap = setTimeout(() => {
    capped = true
    process.stderr.write(`${name}: time cap of ${capMs} ms reached, shutting down\n`)
    void shutDown().finally(() => process.exit(2))
  }, capMs)
  main().then(
    () => clearTimeout(cap),
    async (e: unknown) => {
      clearTimeout(cap)
      // The cap closed the browser under the page; its own handler reports and exits.
      if (capped) return
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
      await shutDown()
      process.exit(1)
    },
  )
}
