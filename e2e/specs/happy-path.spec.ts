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

test('two DCs: each gets its own perm key and bound temp key', async ({ page, demo }, info) => {
  reportCase(info, 'two-dcs')
  const home = await demo.connect()
  const other = await demo.onDc(1)
  const keys = await other.connect()
  expect(keys.perm).not.toBe(home.perm)
  expect(keys.temp).not.toBe(home.temp)
  expect((await other.act('get-config')).text).toContain('this_dc 1')
  await expect(page.locator('[data-testid^="dc-card-"]')).toHaveCount(2)
  // The first DC is untouched by the second's handshakes.
  expect(await demo.keyIds()).toEqual(home)
  await demo.expectReadyAndBound()
  await other.screenshot(info, 'two-dcs')
})
