import { test as base } from '@playwright/test'
import { cleanServer, clearFaults } from './control.ts'
import { DemoPage } from './demo-page.ts'

export { expect } from '@playwright/test'

/**
 * Every test starts on a clean server (no faults pending, no temp keys or sessions of an
 * earlier spec) and leaves no fault behind (faults are server-wide). `demo` is the page, opened.
 */
export const test = base.extend<{ cleanServer: void; demo: DemoPage }>({
  cleanServer: [
    async ({}, use) => {
      await cleanServer()
      await use()
      await clearFaults()
    },
    { auto: true },
  ],
  demo: async ({ page }, use) => use(await DemoPage.open(page)),
})
