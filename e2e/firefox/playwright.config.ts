import { defineConfig } from '@playwright/test'
import { demoWebServer } from '../support/demo-web-server.ts'
import { FIREFOX_PORTS, firefoxServerDataDir } from '../support/ports.ts'

/**
 * The conformance smoke in Debian's firefox-esr (issue #14). Playwright Test runs it and
 * starts the demo, on ports of its own; the browser is driven by puppeteer-core (see
 * firefox-demo.ts), so no Playwright browser is launched.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results/firefox',
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['../support/conformance-reporter.ts', { outputFile: 'report/firefox/conformance.json' }]],
  webServer: demoWebServer(FIREFOX_PORTS, firefoxServerDataDir),
})
