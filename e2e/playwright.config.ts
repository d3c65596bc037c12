import { defineConfig } from '@playwright/test'
import { chromiumArgs } from '../vite.config.ts'
import { demoWebServer } from './support/demo-web-server.ts'
import { E2E_PORTS, baseUrl, serverDataDir } from './support/ports.ts'

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  // One conformance server serves every spec and faults are server-wide: run serially.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['./support/conformance-reporter.ts', { outputFile: 'report/conformance.json' }]],
  use: {
    baseURL: baseUrl,
    headless: true,
    viewport: { width: 1280, height: 800 },
    // Debian's Chromium, never a downloaded browser; the vitest chromium project's flags.
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: demoWebServer(E2E_PORTS, serverDataDir),
})
