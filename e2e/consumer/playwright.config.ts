import { defineConfig } from '@playwright/test'
import { chromiumArgs } from '../../vite.config.ts'

/**
 * The consumer-app e2e (issue #14): the packed client in a fresh create-vite app outside
 * the workspace, built and served under a strict CSP, then the same under `vite` dev.
 * Its own config (not e2e/playwright.config.ts): it needs no demo server, and every port
 * it opens is ephemeral, so it can run beside the conformance suite.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results/consumer',
  workers: 1,
  // Packing, scaffolding and `npm install` happen once, in beforeAll; a cold npm cache
  // fetches the template's TypeScript and Vite from the registry.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
})
