import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startServer, type RunningServer } from '@pfs-web/server'
import { createApp, packClient, run, startDevServer, tscErrors } from './support/consumer-app.ts'
import { proxyWithPolicy, serveStatic, strictPolicy, type CspHost } from './support/csp-host.ts'

test.describe.configure({ mode: 'serial' })

let work = ''
let app = ''
let server: RunningServer
let policy = ''

test.beforeAll(async () => {
  test.setTimeout(600_000)
  // Outside the workspace, so nothing resolves through its node_modules.
  work = await mkdtemp(join(tmpdir(), 'pfs-web-consumer-'))
  const tarball = await packClient(join(work, 'tarballs'))
  app = await createApp(work, tarball)
  server = await startServer({ dataDir: join(work, 'server-data'), tcpPort: 0, wsPort: 0, controlPort: 0 })
  const wsUrl = `ws://${server.host}:${server.wsPort}/apiws`
  await writeFile(join(app, 'public/pfs-server.json'), JSON.stringify({ wsUrl, rsaPublicKeyPem: server.rsaPublicKeyPem }))
  policy = strictPolicy([`ws://${server.host}:${server.wsPort}`])
})

test.afterAll(async () => {
  await server?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

/** Opens the app, waits for its outcome and returns it with the CSP reports it caused. */
async function openApp(page: Page, host: CspHost): Promise<{ result: Record<string, unknown>; violations: string[] }> {
  await page.addInitScript(() => {
    const seen: string[] = []
    Object.assign(window, { __cspEvents: seen })
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`))
  })
  await page.goto(`${host.url}/`)
  const out = page.locator('#app')
  await expect(out).toHaveAttribute('data-state', /ok|error/)
  const text = (await out.textContent()) ?? ''
  expect(await out.getAttribute('data-state'), text).toBe('ok')
  // Reports leave as the violation happens; give the last ones a moment to land.
  await page.waitForTimeout(1000)
  const events = await page.evaluate(() => (window as unknown as { __cspEvents: string[] }).__cspEvents)
  const reports = host.reports.map((r) => `${r.violatedDirective} ${r.blockedUri} (${r.sourceFile || r.documentUri})`)
  return { result: JSON.parse(text) as Record<string, unknown>, violations: [...events, ...reports] }
}

const CONNECTED = {
  status: 'ready',
  bound: true,
  thisDc: 2,
  refusedIsEngineError: true,
  refusedName: 'EngineError',
  refusedCode: 'UNKNOWN_DC',
}

test("the template's `tsc && vite build` passes with the packed client", async () => {
  const build = await run('npm', ['run', 'build'], app)
  const errors = tscErrors(build.output)
  console.log(`consumer tsc errors: ${errors.length}`)
  expect(errors).toEqual([])
  expect(build.code, build.output).toBe(0)
  // skipLibCheck (the template's setting) hides declaration errors; check ours anyway.
  const strict = await run(join(app, 'node_modules/.bin/tsc'), ['--skipLibCheck', 'false'], app)
  expect(tscErrors(strict.output)).toEqual([])
})

/** Connect → getConfig → a typed error, with not one CSP violation from page or worker. */
async function expectCleanRun(page: Page, host: CspHost, label: string): Promise<void> {
  try {
    const { result, violations } = await openApp(page, host)
    console.log(`${label} under CSP: ${JSON.stringify(result)}; violations: ${violations.length}`)
    expect(result).toEqual(CONNECTED)
    expect(violations).toEqual([])
  } finally {
    await host.close()
  }
}

test('the built app connects and calls under a strict CSP with no violation', async ({ page }) => {
  await expectCleanRun(page, await serveStatic(join(app, 'dist'), policy), 'vite build')
})

test('vite dev serves the worker with no config and no violation', async ({ page }) => {
  const dev = await startDevServer(app)
  try {
    await expectCleanRun(page, await proxyWithPolicy(dev.port, policy), 'vite dev')
  } finally {
    await dev.close()
  }
})

test('the violation count is live: an inline script under the same policy is reported', async ({ page }) => {
  await writeFile(join(app, 'dist/canary.html'), '<!doctype html><title>canary</title><script>document.title = "ran"</script>')
  const host = await serveStatic(join(app, 'dist'), policy)
  try {
    await page.goto(`${host.url}/canary.html`)
    await expect.poll(() => host.reports.length).toBeGreaterThan(0)
    expect(host.reports[0]?.violatedDirective).toMatch(/^script-src/)
    expect(await page.title()).toBe('canary')
  } finally {
    await host.close()
  }
})
