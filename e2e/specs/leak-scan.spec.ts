import { fileURLToPath } from 'node:url'
import { reportCase } from '../support/annotations.ts'
import { DemoPage } from '../support/demo-page.ts'
import { expect, test } from '../support/fixtures.ts'
import { findLeaks, indexedDbText, pageText, permKeyHexes, record, tempKeyHexes } from '../support/leak-scan.ts'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

test('no perm or temp key bytes reach the page, its logs, storage or the wire', async ({ page }, info) => {
  reportCase(info, 'leak-scan')
  // Not the `demo` fixture: recording starts before the page opens.
  const seen = record(page)
  // An engine in the page's own dedicated worker: Playwright reports a dedicated worker's
  // WebSocket frames to its page, but not a SharedWorker's (issue #15's default).
  const demo = await DemoPage.open(page, '/?sharing=none')
  await demo.connect()
  const tempKeys = await tempKeyHexes()
  expect((await demo.act('get-config')).state).toBe('ok')
  expect((await demo.act('file-roundtrip')).state).toBe('ok')
  expect((await demo.act('rotate-now')).state).toBe('ok')
  tempKeys.push(...(await tempKeyHexes()))
  const permKeys = permKeyHexes(repoRoot)
  expect(permKeys.length).toBeGreaterThan(0)
  expect(tempKeys.length).toBeGreaterThanOrEqual(2)
  await demo.screenshot(info, 'leak-scan')

  const everywhere = {
    dom: await pageText(page),
    console: seen.console.join('\n'),
    http: seen.http.join('\n'),
    websocket: seen.wsFrames.join('\n'),
  }
  // The scan saw real traffic: the encrypted frames of the calls above.
  expect(seen.wsFrames.length).toBeGreaterThan(4)
  expect(findLeaks([...permKeys, ...tempKeys], everywhere)).toEqual([])
  // The perm key is meant to be stored (idb-keyval), which also shows the scan can find
  // a key; a temp key never is (pfs §1.1).
  const indexedDb = await indexedDbText(page)
  expect(findLeaks(permKeys, { indexedDb }).length).toBeGreaterThan(0)
  expect(findLeaks(tempKeys, { indexedDb })).toEqual([])
})
