import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test, type TestInfo } from '@playwright/test'
import { ControlClient, type FaultAction } from '@pfs-web/control-client'
import type { Browser, Page } from 'puppeteer-core'
import { reportCase, reportRecovery } from '../support/annotations.ts'
import { findLeaks, permKeyHexes, readIndexedDb, readWebStorage, tempKeyHexes } from '../support/leak-scan.ts'
import { firefoxBaseUrl, firefoxControlUrl, firefoxServerDataDir } from '../support/ports.ts'
import { FirefoxDemo, launchFirefox } from './firefox-demo.ts'

// The smoke of the Chromium conformance run, in Firefox ESR: one page, one session, in
// order. Timings are the page's own and are recorded, never asserted. The leak scan
// covers what BiDi shows here (DOM, console, storage, HTTP bodies, IndexedDB); WebSocket
// frames are not visible to it, and the Chromium run scans those.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const reportFile = join(repoRoot, 'e2e/report/firefox/figures.json')
const control = new ControlClient(firefoxControlUrl)

test.describe.configure({ mode: 'serial' })

let browser: Browser
let page: Page
let demo: FirefoxDemo
const consoleLines: string[] = []
const httpBodies: string[] = []
const httpErrors: string[] = []
const tempKeys: string[] = []
const figures: Record<string, number | string | null> = {}

test.beforeAll(async () => {
  await control.fault({ type: 'clear' } satisfies FaultAction)
  browser = await launchFirefox()
  figures['browser'] = await browser.version()
  page = await browser.newPage()
  await page.setViewport({ width: 1280, height: 800 })
  page.on('console', (m) => consoleLines.push(m.text()))
  page.on('response', (res) => {
    // BiDi has no resource types here: the page's fetches are its config and the control proxy.
    const path = new URL(res.url()).pathname
    if (!path.startsWith('/control/') && !path.endsWith('.json')) return
    res.text().then((body) => httpBodies.push(body), (e: unknown) => httpErrors.push(String(e)))
  })
  demo = await FirefoxDemo.open(page, firefoxBaseUrl)
})

test.afterAll(async () => {
  await browser?.close()
  await mkdir(dirname(reportFile), { recursive: true })
  await writeFile(reportFile, `${JSON.stringify({ date: new Date().toISOString(), ...figures }, null, 2)}\n`)
  console.log(`firefox figures: ${JSON.stringify(figures)}`)
})

async function screenshot(info: TestInfo, name: string): Promise<void> {
  const path = info.outputPath(`${name}.png`)
  await page.screenshot({ path })
  await info.attach(name, { path, contentType: 'image/png' })
}

test('connect → ready and bound', async ({}, info) => {
  reportCase(info, 'firefox:connect')
  const result = await demo.act('connect')
  expect(result.state, result.text).toBe('ok')
  figures['connectMs'] = result.ms
  await demo.expectReadyAndBound()
  // The line reads connect()'s answer: Firefox delivered the subscription push later and
  // the page used to print that stale 'status binding'.
  expect(result.text).toMatch(new RegExp(`^bound · temp ${await demo.text('temp-key-id')} · \\d+ ms$`))
  expect(await demo.count('handshakes-perm')).toBe(1)
  tempKeys.push(...(await tempKeyHexes(control)))
  await screenshot(info, 'bound')
})

test('help.getConfig', async ({}, info) => {
  reportCase(info, 'firefox:get-config')
  const result = await demo.act('get-config')
  expect(result.state, result.text).toBe('ok')
  expect(result.text).toContain(`this_dc ${demo.dcId}`)
  figures['getConfigMs'] = result.ms
})

test('1 MiB round trip through saveFilePart and getFile', async ({}, info) => {
  reportCase(info, 'firefox:file-roundtrip')
  const result = await demo.act('file-roundtrip')
  expect(result.state, result.text).toBe('ok')
  expect(result.text).toContain('SHA-256 match')
  figures['fileRoundTrip'] = result.text
})

test('rotate now: a new temp key is bound, the perm key stays', async ({}, info) => {
  reportCase(info, 'firefox:rotation')
  const before = await demo.keyIds()
  const result = await demo.act('rotate-now')
  expect(result.state, result.text).toBe('ok')
  reportRecovery(info, { recoveryMs: result.ms ?? undefined })
  await demo.expectReadyAndBound()
  const after = await demo.keyIds()
  expect(after.temp).not.toBe(before.temp)
  expect(after.perm).toBe(before.perm)
  expect(result.text).toMatch(new RegExp(`^temp ${after.temp} · \\d+ ms$`))
  tempKeys.push(...(await tempKeyHexes(control)))
  await screenshot(info, 'rotated')
})

test('forget temp key: -404, a new temp key, the perm key kept', async ({}, info) => {
  reportCase(info, 'firefox:fault:forget-temp-key')
  const before = await demo.keyIds()
  const injectedAt = Date.now()
  await demo.clickFault('forget-temp-key')
  const result = await demo.act('get-config')
  reportRecovery(info, { recoveryMs: Date.now() - injectedAt })
  expect(result.state, result.text).toBe('ok')
  await demo.expectReadyAndBound()
  const after = await demo.keyIds()
  expect(after.temp).not.toBe(before.temp)
  expect(after.perm).toBe(before.perm)
  expect(await demo.text('last-404')).not.toBe('none')
  tempKeys.push(...(await tempKeyHexes(control)))
  await screenshot(info, 'recovered')
})

test('leak scan: no key bytes in the DOM, console, storage or HTTP; no temp key in IndexedDB', async ({}, info) => {
  reportCase(info, 'firefox:leak-scan')
  const permKeys = permKeyHexes(repoRoot, firefoxServerDataDir)
  expect(permKeys.length).toBeGreaterThan(0)
  // One temp key per bind above: connect, rotation, recovery.
  expect(new Set(tempKeys).size).toBeGreaterThanOrEqual(3)
  const everywhere = {
    dom: `${await page.content()}\n${await page.evaluate(readWebStorage)}`,
    console: consoleLines.join('\n'),
    http: httpBodies.join('\n'),
  }
  // The scan saw real output: the page's logs and its config and control fetches.
  expect(consoleLines.length).toBeGreaterThan(0)
  expect(httpErrors).toEqual([])
  expect(httpBodies.length).toBeGreaterThan(1)
  expect(findLeaks([...permKeys, ...tempKeys], everywhere)).toEqual([])
  // The perm key is meant to be stored (which shows the scan finds a key); a temp key never is.
  const indexedDb = await page.evaluate(readIndexedDb)
  expect(findLeaks(permKeys, { indexedDb }).length).toBeGreaterThan(0)
  expect(findLeaks(tempKeys, { indexedDb })).toEqual([])
})
