import { reportCase, reportRecovery } from '../support/annotations.ts'
import { DemoPage, settleTraffic, waitForOkCalls } from '../support/demo-page.ts'
import { expect, test } from '../support/fixtures.ts'

// pfs §2: a bind that fails with ENCRYPTED_MESSAGE_INVALID on a perm key older than 60 s
// proves the perm key dead: both keys go and the DC is logged out (its stored perm key
// deleted). The embedder did not log out, so Connect makes a new perm key in the same page
// (issue #16); a reloaded page then finds that key in storage.

const PERM_KEY_MIN_AGE_MS = 61_000

test('revoked perm key: keys dropped, DC logged out, Connect makes a new perm key without a reload', async ({ page, demo }, info) => {
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
  await expect(demo.field('wait-reason')).toHaveText('logged out — Connect makes a new key')
  await demo.screenshot(info, 'logged-out')
  const traffic = await settleTraffic(demo)
  expect(traffic.failed).toBeGreaterThan(0)

  const after = await demo.connect()
  const recoveryMs = Date.now() - injectedAt
  expect(after.perm).not.toBe(before.perm)
  expect(await demo.count('handshakes-perm')).toBe(1)
  await demo.setTraffic(true)
  await waitForOkCalls(demo, await demo.traffic(), 3)
  // the counters run on from the first phase: no call failed after the new key
  expect((await settleTraffic(demo)).failed).toBe(traffic.failed)
  await demo.screenshot(info, 'new-perm-key')
  reportRecovery(info, { recoveryMs, lostCalls: traffic.failed })

  // the new key was stored: a reloaded page connects with it, no perm handshake
  await page.reload()
  const next = await DemoPage.open(page)
  expect((await next.connect()).perm).toBe(after.perm)
  expect(await next.count('handshakes-perm')).toBe(0)
})
