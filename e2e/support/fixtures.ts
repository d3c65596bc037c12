import { test as base } from '@playwright/test'
import { clearFaults } from './control.ts'
import { DemoPage } from './demo-page.ts'

export { expect } from '@playwright/test'

/**
 * Every test starts on a server with no faults pending and leaves none behind (faults
 * are server-wide). `demo` is the page, opened.
 */
export const test = base.extend<{ cleanServer: void; demo: DemoPage }>({
  cleanServer: [
    async ({}, use) => {
      await clearFaults()
      await use()
      await clearFaults()
    },
    { auto: true },
  ],
  demo: async ({ page }, use) => use(await DemoPage.open(page)),
})
