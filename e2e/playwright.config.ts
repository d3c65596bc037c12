import { defineConfig } from '@playwright/test'
import { fileURLToPath } from 'node:url'
import { chromiumArgs } from '../vite.config.ts'
import { E2E_PORTS, baseUrl, serverDataDir } from './support/ports.ts'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))

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
  webServer: {
    command: [
      `node scripts/start-demo.mjs --fresh --expose-keys --data ${serverDataDir}`,
      `--port ${E2E_PORTS.web} --tcp-port ${E2E_PORTS.tcp} --ws-port ${E2E_PORTS.ws} --control-port ${E2E_PORTS.control}`,
    ].join(' '),
    cwd: repoRoot,
    url: `${baseUrl}/demo-config.json`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
})
