import { reportCase } from '../support/annotations.ts'
import { permHandshakes } from '../support/control.ts'
import { DemoPage } from '../support/demo-page.ts'
import { expect, test } from '../support/fixtures.ts'

test('reload: the stored perm key is reused, only a new temp key is made', async ({ page, demo }, info) => {
  reportCase(info, 'reload')
  const before = await demo.connect()
  const serverPermHandshakes = await permHandshakes()

  await page.reload()
  const second = await DemoPage.open(page)
  await expect(second.field('dc-status')).toHaveText('idle')
  const after = await second.connect()
  await second.screenshot(info, 'after-reload')

  expect(after.perm).toBe(before.perm)
  expect(after.temp).not.toBe(before.temp)
  expect(await second.count('handshakes-perm')).toBe(0)
  expect(await second.count('handshakes-temp')).toBe(1)
  expect(await permHandshakes()).toBe(serverPermHandshakes)
  expect((await second.act('get-config')).state).toBe('ok')
})
