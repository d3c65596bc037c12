import { reportCase } from '../support/annotations.ts'
import { loseTempKey, type DemoPage } from '../support/demo-page.ts'
import { expect, test } from '../support/fixtures.ts'

// The demo page itself (issue #14): it must be readable at any width, show what the calls
// returned and draw each key's life. Its clock through a skew is checked in faults.spec.ts,
// with the one skew of the run (a cleared skew leaves the server's msg_ids ahead for as
// long as the skew was, which would mislead the next clients' clock sync).

/** Connect, rotate, then lose the temp key to a −404 and recover: every kind of key life. */
async function keyHistory(demo: DemoPage): Promise<void> {
  const first = (await demo.connect()).temp
  expect((await demo.act('rotate-now')).state).toBe('ok')
  await expect(demo.field('temp-key-id')).not.toHaveText(first)
  await loseTempKey(demo)
}

test('layouts at 1280, 800 and 390 px: card, controls, key chart and events fit the width', async ({ page, demo }, info) => {
  reportCase(info, 'demo-layout')
  await keyHistory(demo)
  for (const width of [1280, 800, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 })
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
    for (const part of [demo.card, page.getByTestId('btn-connect'), page.getByTestId('key-chart'), page.getByTestId('timeline'), page.getByTestId('fault-forget-temp-key')]) {
      await part.scrollIntoViewIfNeeded()
      await expect(part).toBeVisible()
      const box = await part.boundingBox()
      expect(box, `${width}px`).not.toBeNull()
      expect(box!.x, `${width}px: left edge`).toBeGreaterThanOrEqual(0)
      expect(box!.x + box!.width, `${width}px: right edge`).toBeLessThanOrEqual(width)
    }
    await page.evaluate(() => window.scrollTo(0, 0))
    await demo.screenshot(info, `width-${width}`, true)
  }
})

test('result lines, expiry date, last error, and the key timeline chart', async ({ page, demo }, info) => {
  reportCase(info, 'demo-page')
  const connect = await demo.act('connect')
  await demo.expectReadyAndBound()
  const first = await demo.text('temp-key-id')
  // From connect()'s own answer, not a subscription push that may still be on its way.
  expect(connect.text).toMatch(new RegExp(`^bound · temp ${first} · \\d+ ms$`))
  await expect(demo.field('expires-at')).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d\d:\d\d:\d\d$/)
  await expect(demo.field('next-rotation-at')).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d\d:\d\d:\d\d$/)

  const rotate = await demo.act('rotate-now')
  await expect(demo.field('temp-key-id')).not.toHaveText(first)
  const rotated = await demo.text('temp-key-id')
  expect(rotate.text).toMatch(new RegExp(`^temp ${rotated} · \\d+ ms$`))

  await loseTempKey(demo)
  const recovered = await demo.text('temp-key-id')
  // The -404 was an error; once ready and bound again it is history, not an alarm.
  await expect(demo.field('last-error')).toHaveText(/^recovered \d+s ago · TransportError -404/)
  await expect(demo.field('last-error')).toHaveAttribute('data-tone', 'muted')

  const life = (keyId: string) => page.locator(`[data-testid="key-life"][data-key-id="${keyId}"]`)
  const ms = async (keyId: string, what: string) => Number(await life(keyId).getAttribute(`data-${what}-ms`))
  for (const k of [first, rotated, recovered]) await expect(life(k)).toHaveCount(1)
  // Rotation: the successor was bound before its predecessor was dropped (make-before-break).
  expect(await ms(rotated, 'bound')).toBeLessThan(await ms(first, 'dropped'))
  expect(await ms(first, 'retired')).toBe(await ms(rotated, 'in-use'))
  await expect(page.getByTestId('key-overlap')).toHaveCount(1)
  // -404: the lost key is marked and dropped; the key that took over carries a rebind mark.
  await expect(life(rotated).locator('[data-testid="key-mark"][data-kind="404"]')).toHaveCount(1)
  expect(await life(rotated).getAttribute('data-dropped-ms')).not.toBe('')
  await expect(life(recovered).locator('[data-testid="key-mark"][data-kind="rebind"]')).toHaveCount(1)
  expect(await life(recovered).getAttribute('data-dropped-ms')).toBe('')
  await page.getByTestId('key-chart').scrollIntoViewIfNeeded()
  await demo.screenshot(info, 'key-chart', true)
})

test('the connection list shows each pool connection with a temp key of its own', async ({ page, demo }, info) => {
  reportCase(info, 'demo-connections')
  await demo.connect()
  expect((await demo.act('file-roundtrip')).state).toBe('ok')
  const row = (name: string) => page.locator(`[data-testid="connection-row"][data-connection="${demo.dcId}:${name}"]`)
  const keyOf = async (name: string) => (await row(name).locator('td').nth(3).textContent()) ?? ''
  // The file round trip goes over the upload and download pools (issue #15).
  for (const name of ['main', 'upload-0', 'download-0']) await expect(row(name).locator('td').nth(3)).toHaveText(/^[0-9a-f]{16}$/)
  const keys = [await keyOf('main'), await keyOf('upload-0'), await keyOf('download-0')]
  expect(new Set(keys).size).toBe(3)
  await demo.screenshot(info, 'demo-connections')
})
