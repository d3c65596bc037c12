import { reportCase } from '../support/annotations.ts'
import { expect, test } from '../support/fixtures.ts'

test('connect → bound → help.getConfig', async ({ page, demo }, info) => {
  reportCase(info, 'happy-path')
  await expect(demo.field('dc-status')).toHaveText('idle')

  await demo.connect()
  expect(await demo.count('handshakes-perm')).toBe(1)
  expect(await demo.count('binds')).toBeGreaterThanOrEqual(1)
  await expect(page.getByTestId('timeline-count-bound')).not.toHaveText('0')
  await demo.screenshot(info, 'bound')

  const config = await demo.act('get-config')
  expect(config.state).toBe('ok')
  expect(config.text).toContain(`this_dc ${demo.dcId}`)
  await demo.screenshot(info, 'after-get-config')
})
