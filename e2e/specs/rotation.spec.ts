import { reportCase, reportRecovery } from '../support/annotations.ts'
import { settleTraffic, waitForOkCalls } from '../support/demo-page.ts'
import { expect, test } from '../support/fixtures.ts'

test('rotate now: a new temp key is bound, the perm key stays, no call is lost', async ({ page, demo }, info) => {
  reportCase(info, 'rotation')
  const before = await demo.connect()
  const rotations = await demo.count('rotations')

  await demo.setTraffic(true)
  await waitForOkCalls(demo, await demo.traffic(), 2)
  const started = Date.now()
  expect((await demo.act('rotate-now')).state).toBe('ok')
  const recoveryMs = Date.now() - started
  await demo.expectReadyAndBound()
  await expect(demo.field('temp-key-id')).not.toHaveText(before.temp)
  expect(await demo.text('perm-key-id')).toBe(before.perm)
  expect(await demo.count('rotations')).toBe(rotations + 1)
  await expect(page.getByTestId('timeline-count-rotated')).toHaveText('1')
  await waitForOkCalls(demo, await demo.traffic(), 3)

  const traffic = await settleTraffic(demo)
  reportRecovery(info, { recoveryMs, lostCalls: traffic.failed })
  await demo.screenshot(info, 'rotated')
  expect(traffic.failed).toBe(0)
})
