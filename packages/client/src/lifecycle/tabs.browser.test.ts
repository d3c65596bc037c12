/**
 * Issue #15, one engine for every tab, in Chromium against a private conformance server.
 * The tabs are clients in this page and in iframes (a browsing context of its own, whose
 * removal ends it the way closing a tab does: no close(), its Web Locks released), all on
 * `sharing: 'shared-worker'`. What the server observed is the measure: handshakes, sockets
 * and packets carrying calls, never a time.
 */
import { ControlClient, type ServerStats } from '@pfs-web/control-client'
import { afterAll, describe, expect, it } from 'vitest'
import type { PfsClient, PfsClientOptions } from '../client.ts'
import { scanForLeaks } from '../../test/leak-scan.ts'
import {
  CallStream,
  clientOptions,
  deleteDatabase,
  isolatedServer,
  lifecycleClient,
  nearestDcProbe,
  sleep,
  summary,
  tempKeyBytes,
  until,
  type LifecycleClient,
} from '../../test/lifecycle-harness.ts'

const DC = 2
const server = isolatedServer('tabs')
const control = new ControlClient(server.controlUrl)
const storageNames: string[] = []
const frames: HTMLIFrameElement[] = []

afterAll(async () => {
  for (const frame of frames) frame.remove()
  await Promise.all(storageNames.map(deleteDatabase))
})

function newStorage(): string {
  const name = `pfs-tabs-${Date.now()}-${storageNames.length}`
  storageNames.push(name)
  return name
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)

/** What the server saw so far: handshakes, sockets opened and packets that carried API calls. */
async function traffic(): Promise<{ perm: number; temp: number; sockets: number; callPackets: number; open: number }> {
  const s: ServerStats = await control.stats()
  return {
    perm: sum(s.handshakes.perm),
    temp: sum(s.handshakes.temp),
    sockets: s.connections.total,
    callPackets: sum(s.apiCallsPerPacket),
    open: s.connections.open,
  }
}

function delta<T extends Record<string, number>>(after: T, before: T): T {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)])) as T
}

/** A tab in an iframe of its own: its client, made in that realm. */
async function frameTab(options: PfsClientOptions): Promise<{ frame: HTMLIFrameElement; client: PfsClient }> {
  const frame = document.createElement('iframe')
  frame.srcdoc = `<script type="module" src="${new URL('../../test/tab-frame.ts', import.meta.url).href}"></script>`
  document.body.append(frame)
  frames.push(frame)
  const make = await until(() => frame.contentWindow?.pfsTab, 20_000)
  return { frame, client: make(options) }
}

/**
 * Opens two more tabs one after the other (pushed onto `tabs`) and checks what the server
 * saw of each one's first getConfig: nothing but the one packet with the call (no socket,
 * no handshake, no bind), which is one round trip.
 */
async function joinTwoTabs(extra: Partial<PfsClientOptions>, tabs: LifecycleClient[]): Promise<void> {
  const joins = []
  for (let i = 0; i < 2; i++) {
    const before = await traffic()
    const tab = lifecycleClient(server, DC, extra)
    tabs.push(tab)
    expect((await tab.client.getConfig(DC)).thisDc).toBe(DC)
    const { open: _open, ...counts } = delta(await traffic(), before)
    joins.push(counts)
  }
  expect(joins).toEqual([
    { perm: 0, temp: 0, sockets: 0, callPackets: 1 },
    { perm: 0, temp: 0, sockets: 0, callPackets: 1 },
  ])
}

describe('one engine for every tab (shared worker)', () => {
  it('three tabs make 1 perm handshake and 1 temp key in all; the 2nd and 3rd tab\'s first getConfig makes 0 handshakes in one round trip', async () => {
    const storageName = newStorage()
    const extra = { storageName, sharing: 'shared-worker' } as const
    const start = await traffic()
    const first = lifecycleClient(server, DC, extra)
    const tabs: LifecycleClient[] = [first]
    try {
      await first.client.connect(DC)
      await joinTwoTabs(extra, tabs)
      expect(delta(await traffic(), start)).toMatchObject({ perm: 1, temp: 1 })

      const views = (await Promise.all(tabs.map((t) => t.client.states()))).map((s) => s[0])
      expect(new Set(views.map((v) => `${v?.permKeyId} ${v?.tempKeyId}`)).size).toBe(1)
      for (const view of views) expect(view).toMatchObject({ bound: true, handshakes: { perm: 1, temp: 1 } })

      // Key events reach every tab's own listeners; a rotation asked by one is seen by all.
      await tabs[2]?.client.rotateNow(DC)
      for (const tab of tabs) await until(() => tab.events.find((e) => e.kind === 'rotated'), 20_000)
    } finally {
      await Promise.all(tabs.map((t) => t.client.close()))
    }
    await until(async () => ((await traffic()).open === 0 ? true : undefined), 10_000)
  })

  it('closing tabs under 20 calls/s from the others loses no call; the last tab out ends the engine and no temp key byte is left in this page', async () => {
    const storageName = newStorage()
    const extra = { storageName, sharing: 'shared-worker' } as const
    const [a, b, c] = [lifecycleClient(server, DC, extra), lifecycleClient(server, DC, extra), lifecycleClient(server, DC, extra)] as const
    const framed = await frameTab(clientOptions(server, DC, extra))
    const [view] = await Promise.all([a.client.connect(DC), framed.client.getNearestDc(DC), c.client.getNearestDc(DC)])
    const tempKey = await tempKeyBytes(control, view.tempKeyId ?? '')
    expect(tempKey).not.toBeNull()

    const streams = [a, b].map((t) => new CallStream(t.client, nearestDcProbe(DC), 20).start())
    // The framed tab keeps calls in flight until it goes; they can never be answered to it.
    let framedCalls = 0
    const framedLoad = setInterval(() => {
      framedCalls++
      framed.client.getNearestDc(DC).catch(() => undefined)
    }, 50)
    await sleep(600)
    framed.frame.remove()
    clearInterval(framedLoad)
    await sleep(600)
    await c.client.close()
    await sleep(600)
    const calls = (await Promise.all(streams.map((s) => s.stop()))).flat()
    const s = summary(calls)
    expect(s).toMatchObject({ ok: s.total, wrong: 0, failed: 0, pending: 0 })
    expect(s.total).toBeGreaterThan(40)
    expect(framedCalls).toBeGreaterThan(5)

    // Still the one engine, on its first key.
    const [still] = await a.client.states()
    expect(still).toMatchObject({ tempKeyId: view.tempKeyId, handshakes: { perm: 1, temp: 1 } })

    // Only a and b hold the engine now: the framed tab was dropped when its lock came
    // free, or the engine would outlive them with its socket open.
    await Promise.all([a.client.close(), b.client.close()])
    await until(async () => ((await traffic()).open === 0 ? true : undefined), 10_000)

    const secrets = { temp: tempKey as Uint8Array }
    const received = [...a.events, ...b.events, ...c.events, ...a.views, ...b.views, ...c.views].map((data, i) => ({ direction: 'from-worker' as const, channel: `listener ${i}`, data }))
    expect(received.length).toBeGreaterThan(0)
    expect(await scanForLeaks(secrets, { messages: received, minRun: 16 })).toEqual([])

    // The next tab starts a new engine: the perm key from storage, a temp key of its own.
    const next = lifecycleClient(server, DC, extra)
    try {
      const fresh = await next.client.connect(DC)
      expect(fresh).toMatchObject({ permKeyId: view.permKeyId, handshakes: { perm: 0, temp: 1 } })
      expect(fresh.tempKeyId).not.toBe(view.tempKeyId)
    } finally {
      await next.client.close()
    }
  })
})

describe('one engine for every tab (leader fallback, no SharedWorker)', () => {
  it('the owner tab goes (closed, or closing itself) under 20 calls/s from the others: the next tab leads at once with a temp key of its own, and no call is lost', async () => {
    const storageName = newStorage()
    const extra = { storageName, sharing: 'leader' } as const
    // First in the lock queue, so it leads.
    const owner = await frameTab(clientOptions(server, DC, extra))
    const view = await owner.client.connect(DC)
    const oldKey = await tempKeyBytes(control, view.tempKeyId ?? '')
    expect(oldKey).not.toBeNull()

    const tabs: LifecycleClient[] = []
    try {
      await joinTwoTabs(extra, tabs)
      for (const tab of tabs) expect((await tab.client.states())[0]).toMatchObject({ tempKeyId: view.tempKeyId, handshakes: { perm: 1, temp: 1 } })

      const streams = tabs.map((t) => new CallStream(t.client, nearestDcProbe(DC), 20).start())
      await sleep(600)
      owner.frame.remove()
      await sleep(1500)
      const calls = (await Promise.all(streams.map((s) => s.stop()))).flat()
      const s = summary(calls)
      expect(s).toMatchObject({ ok: s.total, wrong: 0, failed: 0, pending: 0 })
      expect(s.total).toBeGreaterThan(60)

      // The new leader's engine: the stored perm key, a temp key of its own, served to both tabs.
      const after = await Promise.all(tabs.map(async (t) => (await t.client.states())[0]))
      expect(after[0]).toMatchObject({ permKeyId: view.permKeyId, bound: true, handshakes: { perm: 0, temp: 1 } })
      expect(after[0]?.tempKeyId).not.toBe(view.tempKeyId)
      expect(after[1]?.tempKeyId).toBe(after[0]?.tempKeyId)
      const newKey = await tempKeyBytes(control, after[0]?.tempKeyId ?? '')
      expect(newKey).not.toBeNull()

      // An explicit close() of the leader hands over the same way.
      const [leader, last] = tabs as [LifecycleClient, LifecycleClient]
      const stream = new CallStream(last.client, nearestDcProbe(DC), 20).start()
      await sleep(400)
      await leader.client.close()
      await sleep(1000)
      const s2 = summary(await stream.stop())
      expect(s2).toMatchObject({ ok: s2.total, wrong: 0, failed: 0, pending: 0 })
      expect((await last.client.states())[0]).toMatchObject({ permKeyId: view.permKeyId, bound: true, handshakes: { perm: 0, temp: 1 } })

      const received = tabs.flatMap((t) => [...t.events, ...t.views]).map((data, i) => ({ direction: 'from-worker' as const, channel: `listener ${i}`, data }))
      expect(await scanForLeaks({ old: oldKey as Uint8Array, current: newKey as Uint8Array }, { messages: received, minRun: 16 })).toEqual([])
    } finally {
      await Promise.all(tabs.map((t) => t.client.close()))
    }
    await until(async () => ((await traffic()).open === 0 ? true : undefined), 10_000)
  })
})
