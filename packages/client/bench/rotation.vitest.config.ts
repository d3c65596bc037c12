import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import { chromiumArgs } from '../../../vite.config.ts'

// `pnpm bench:rotation` only: the timed rotation run in Debian's Chromium, alone.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['packages/client/bench/rotation.bench.browser.ts'],
    globalSetup: ['packages/client/test/global-setup.ts'],
    testTimeout: 120_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs } }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
