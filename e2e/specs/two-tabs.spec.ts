import { reportCase } from '../support/annotations.ts'
import { control, total } from '../support/control.ts'
import { DemoPage } from '../support/demo-page.ts'
import { expect, test } from '../support/fixtures.ts'

/**
 * Issue #15 in the demo: a second tab of the page joins the first one's engine, so both
 * cards show the same key ids and the handshake counters do not double, neither in the
 * views nor on the server; closing the first tab leaves the second one served.
 */
test('two tabs of the demo show one engine: the same keys, counters that do not double', async ({ page, demo }, info) => {
  reportCase(info, 'two-tabs')
  await expect(page.getByTestId('sharing')).toHaveText('engine: shared-worker')
  const first = await demo.connect()
  const handshakes = async () => {
    const s = await control.stats()
    return { perm: total(s.handshakes.perm), temp: total(s.handshakes.temp) }
  }
  const before = await handshakes()

  const second = await DemoPage.open(await page.context().newPage())
  await second.expectReadyAndBound()
  expect(await second.keyIds()).toEqual(first)
  for (const tab of [demo, second]) {
    expect(await tab.count('handshakes-perm')).toBe(1)
    expect(await tab.count('handshakes-temp')).toBe(1)
  }
  expect((await second.act('get-config')).state).toBe('ok')
  await second.screenshot(info, 'second-tab')

  await page.close()
  expect((await second.act('get-config')).state).toBe('ok')
  expect(await second.keyIds()).toEqual(first)
  expect(await handshakes()).toEqual(before)
})
