import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import { chromiumArgs } from '../../../vite.config.ts'

// `pnpm bench:tabs` only: the tab start-up timings in Debian's Chromium, alone.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['packages/client/bench/tabs.bench.browser.ts'],
    globalSetup: ['packages/client/test/global-setup.ts'],
    testTimeout: 120_000,
    provide: { tabsRounds: Number(process.env.TABS_ROUNDS ?? 5) },
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs } }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
