import { reportCase, reportRecovery } from '../support/annotations.ts'
import { DemoPage, settleTraffic, waitForOkCalls } from '../support/demo-page.ts'
import { expect, test } from '../support/fixtures.ts'

// pfs §2: a bind that fails with ENCRYPTED_MESSAGE_INVALID on a perm key older than 60 s
// proves the perm key dead: both keys go and the DC is logged out. The engine stops
// the DC there (its stored perm key deleted); a new client then makes a new perm key.

const PERM_KEY_MIN_AGE_MS = 61_000

test('revoked perm key: keys dropped, DC logged out, next client makes a new perm key', async ({ page, demo }, info) => {
  test.setTimeout(PERM_KEY_MIN_AGE_MS + 90_000)
  reportCase(info, 'fault:revoke-perm-key')
  const connectedAt = Date.now()
  const before = await demo.connect()
  await demo.setTraffic(true)
  await page.waitForTimeout(Math.max(0, PERM_KEY_MIN_AGE_MS - (Date.now() - connectedAt)))

  const injectedAt = Date.now()
  await page.getByTestId('fault-revoke-perm-key').click()
  await expect(page.getByTestId('result-fault')).toHaveAttribute('data-state', 'ok')
  await expect(demo.field('dc-status')).toHaveText('logged-out')
  await expect(page.getByTestId('timeline-list').locator('[data-kind="dropped"][data-key-kind="perm"]')).toHaveCount(1)
  await expect(page.getByTestId('timeline-count-logged-out')).toHaveText('1')
  await expect(demo.field('perm-key-id')).toHaveText('—')
  await expect(demo.field('last-error')).toContainText('LOGGED_OUT')
  await demo.screenshot(info, 'logged-out')
  const traffic = await settleTraffic(demo)
  expect(traffic.failed).toBeGreaterThan(0)

  await page.reload()
  const next = await DemoPage.open(page)
  const after = await next.connect()
  const recoveryMs = Date.now() - injectedAt
  expect(after.perm).not.toBe(before.perm)
  expect(await next.count('handshakes-perm')).toBe(1)
  await next.setTraffic(true)
  await waitForOkCalls(next, await next.traffic(), 3)
  expect((await settleTraffic(next)).failed).toBe(0)
  await next.screenshot(info, 'new-perm-key')
  reportRecovery(info, { recoveryMs, lostCalls: traffic.failed })
})
