import { defineConfig } from 'vitest/config'
import { availableParallelism } from 'node:os'
import { playwright } from '@vitest/browser-playwright'

// Debian's Chromium only: tests never download a browser. The flags keep it off a
// network this machine does not have (see DEVELOPERS.md).
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const LIFECYCLE = 'packages/client/src/lifecycle/**/*.test.ts'

const browser = {
  enabled: true,
  headless: true,
  screenshotFailures: false,
  provider: playwright({
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
  }),
  instances: [{ browser: 'chromium' as const }],
}

// The same test files run in Node and in Chromium, except the ones that need the
// other side's platform: `*.node.test.ts` (node:crypto cross-checks, servers) and
// `*.browser.test.ts` (Workers, IndexedDB, WebSocket from a page).
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          setupFiles: ['packages/worker/test/fail-on-unhandled-rejection.ts'],
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          exclude: ['**/*.browser.test.ts', '**/node_modules/**'],
          testTimeout: 30_000,
          // vitest leaves one core idle by default; on CI's 2 cores that halves the node
          // project's speed, and its longest files (the simulation's seeds) are pure CPU.
          maxWorkers: availableParallelism(),
        },
      },
      {
        extends: true,
        test: {
          name: 'chromium',
          // The browser suites talk to a real conformance server started in Node.
          globalSetup: ['packages/client/test/global-setup.ts'],
          include: ['packages/*/src/**/*.test.ts'],
          exclude: ['**/*.node.test.ts', 'packages/server/**', LIFECYCLE, '**/node_modules/**'],
          testTimeout: 60_000,
          browser,
        },
      },
      {
        extends: true,
        test: {
          // Issue #6's timed suites measure latency and handshake rates: one file at a time,
          // so no other suite's handshakes land inside their rotation windows.
          name: 'lifecycle',
          globalSetup: ['packages/client/test/global-setup.ts'],
          include: [LIFECYCLE],
          fileParallelism: false,
          testTimeout: 60_000,
          browser,
        },
      },
    ],
  },
})
