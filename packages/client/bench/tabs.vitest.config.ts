import { defineConfig } from 'vitest/config'
import rotation from './rotation.vitest.config.ts'

// `pnpm bench:tabs` only: the tab start-up timings, in the same Chromium set-up as bench:rotation.
export default defineConfig({
  ...rotation,
  test: {
    ...rotation.test,
    include: ['packages/client/bench/tabs.bench.browser.ts'],
    provide: { tabsRounds: Number(process.env.TABS_ROUNDS ?? 5) },
  },
})
