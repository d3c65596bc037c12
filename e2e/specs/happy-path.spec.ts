import { expect, test } from '@playwright/test'
import { reportCase } from '../support/annotations.ts'
import { DemoPage } from '../support/demo-page.ts'

test('connect → bound → help.getConfig', async ({ page }, info) => {
  reportCase(info, 'happy-path')
  const demo = await DemoPage.open(page)
  await expect(demo.field('dc-status')).toHaveText('idle')

  const connect = await demo.act('connect')
  expect(connect.state).toBe('ok')
  await demo.expectReadyAndBound()
  expect(await demo.count('handshakes-perm')).toBe(1)
  expect(await demo.count('binds')).toBeGreaterThanOrEqual(1)
  await expect(page.getByTestId('timeline-count-bound')).not.toHaveText('0')
  await demo.screenshot(info, 'bound')

  const config = await demo.act('get-config')
  expect(config.state).toBe('ok')
  expect(config.text).toContain(`this_dc ${demo.dcId}`)
  await demo.screenshot(info, 'after-get-config')
})
