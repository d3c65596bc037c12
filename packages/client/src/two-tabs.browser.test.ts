/**
 * Two tabs of one app without sharing (`sharing: 'none'`, where a browser has no SharedWorker
 * or the app opts out; lifecycle/tabs.browser.test.ts has the shared engine): two clients,
 * each with its own worker, on one IndexedDB database
 * against the real server. Starting together from an empty database they must end with a
 * single perm key (the perm handshake runs under a Web Lock), and each binds its own temp
 * key to it; a rotation in one tab must not cost the other its key (the server keeps several
 * bindings per perm key, pfs-and-errors.md §1.6, and the client never drops other keys).
 */
import { afterAll, expect, inject, it } from 'vitest'
import type { PfsServerInfo } from '../test/global-setup.ts'
import { deleteDatabase, lifecycleClient } from '../test/lifecycle-harness.ts'

const server: PfsServerInfo = inject('pfsServer')
const storageName = `pfs-two-tabs-${Date.now()}`
const extra = { storageName, defaultTimeoutMs: 20_000, sharing: 'none' } as const
const tabs = [lifecycleClient(server, 2, extra).client, lifecycleClient(server, 2, extra).client] as const

afterAll(async () => {
  await Promise.all(tabs.map((t) => t.close()))
  await deleteDatabase(storageName)
})

it('two tabs starting together share one perm key, bind a temp key each, and rotate without cutting each other off', async () => {
  const [a, b] = await Promise.all([tabs[0].connect(2), tabs[1].connect(2)])
  expect(a).toMatchObject({ status: 'ready', bound: true })
  expect(b).toMatchObject({ status: 'ready', bound: true })
  expect(b.permKeyId).toBe(a.permKeyId)
  expect(a.handshakes.perm + b.handshakes.perm).toBe(1)
  expect(b.tempKeyId).not.toBe(a.tempKeyId)

  await tabs[0].rotateNow(2)
  const configs = await Promise.all(tabs.flatMap((t) => [t.getConfig(2), t.getConfig(2)]))
  expect(configs.map((c) => c.thisDc)).toEqual([2, 2, 2, 2])
  const [a2, b2] = (await Promise.all(tabs.map((t) => t.states()))).map((s) => s[0])
  expect(a2?.tempKeyId).not.toBe(a.tempKeyId)
  expect(b2).toMatchObject({ tempKeyId: b.tempKeyId, rebinds: 0, last404: null })
})
