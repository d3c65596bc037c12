/**
 * `pnpm bench:rotation` (issue #11; it was issue #6's timed test): 5 s temp keys for 60 s
 * under a steady 50 calls/s through the public client in Chromium against the real server.
 * It measures call latency inside rotation windows against steady state (p50/p99 and their
 * ratio) and how far ahead of the old key's expiry each new key was bound. A benchmark,
 * run by packages/client/bench/rotation.ts, never by the test suite: wall-clock latency
 * depends on the machine, so nothing here can fail CI.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { ControlClient, type KeyView } from '@pfs-web/control-client'
import {
  CallStream,
  figure,
  fileSliceProbe,
  isolatedServer,
  lifecycleClient,
  percentile,
  serverKeyId,
  sleep,
  summary,
} from '../test/lifecycle-harness.ts'

const DC = 2
const RUN_MS = 60_000
const RATE = 50
const server = isolatedServer('rotation')
const control = new ControlClient(server.controlUrl)
// 5 s keys; the policy renews at expires − min(margin, ½ life) = 2.5 s before expiry and
// stops using a key at expires − min(margin/2, ⅕ life) = 1 s before (edge/edge/dc/temp-key-driver.ts).
const lc = lifecycleClient(server, DC, { tempKeyLifetimeS: [5, 5], rotationMarginS: 3 })

afterAll(() => lc.dispose())

interface ServerSeen {
  /** Page wall ms of the first poll that showed it bound. */
  boundSeenAt: number | null
  /** Server unix seconds, as last seen (a bind may shorten it). */
  expiresAt: number
}

describe('rotation: 5 s temp keys for 60 s at 50 calls/s', () => {
  it('measures rotation-window latency against steady state', { timeout: 120_000 }, async () => {
    const first = await lc.client.connect(DC)
    expect(first).toMatchObject({ status: 'ready', bound: true })
    const probe = await fileSliceProbe(lc.client, DC, 0x6a0_7a7en)
    const statsBefore = await control.stats()

    // The server's view of every temp key of this perm key, polled while the calls run.
    const seen = new Map<string, ServerSeen>()
    const permServerId = serverKeyId(first.permKeyId ?? '')
    let polling = true
    const poll = (async () => {
      while (polling) {
        const stats = await control.stats()
        const at = Date.now()
        for (const k of stats.keys.filter((k: KeyView) => k.kind === 'temp' && k.boundTo === permServerId)) {
          const s = seen.get(k.id) ?? { boundSeenAt: null, expiresAt: k.expiresAt ?? 0 }
          s.boundSeenAt ??= at
          s.expiresAt = k.expiresAt ?? s.expiresAt
          seen.set(k.id, s)
        }
        await sleep(100)
      }
    })()

    const stream = new CallStream(lc.client, probe, RATE).start()
    await sleep(RUN_MS)
    const calls = await stream.stop()
    polling = false
    await poll
    const [state] = await lc.client.states()
    const statsAfter = await control.stats()

    const s = summary(calls)

    // --- rotation windows: from the next temp handshake's planned start (the view's
    // nextRotationAt, server time, mapped to wall time with the engine's offset) to the old
    // key's drop. The first view of each key counts: the next handshake steps the engine's
    // clock to its integer server_time, so later views of the same key can map the same
    // nextRotationAt up to a second away from when the renewal timer really fired.
    const renewAtWall = new Map<string, number>()
    for (const { view } of lc.views) {
      if (view.tempKeyId !== null && !renewAtWall.has(view.tempKeyId) && view.nextRotationAt !== null) {
        renewAtWall.set(view.tempKeyId, (view.nextRotationAt - view.serverTimeOffset) * 1000)
      }
    }
    const drops = lc.events.filter((e) => e.kind === 'dropped' && e.keyKind === 'temp')
    const windows = drops.flatMap((d) => {
      const start = d.keyId === null ? undefined : renewAtWall.get(d.keyId)
      return start === undefined || start > d.seenAt ? [] : [{ start, end: d.seenAt }]
    })
    // A call is "during rotation" if it was in flight at any moment of a window: a call
    // issued just before the handshake's maths is the one that would wait for it.
    const latency = (c: (typeof calls)[number]) => c.latencyMs ?? Number.NaN
    const inWindow = (c: (typeof calls)[number]) => windows.some((w) => c.issuedAt <= w.end && c.issuedAt + latency(c) >= w.start)
    const during = calls.filter(inWindow).map(latency)
    const steady = calls.filter((c) => !inWindow(c)).map(latency)
    const p99 = { steady: percentile(steady, 99), rotation: percentile(during, 99) }
    const p50 = { steady: percentile(steady, 50), rotation: percentile(during, 50) }
    const windowMs = windows.map((w) => w.end - w.start)

    // --- server: each new key (in bind order) bound before the key it replaced expired
    const bound = lc.events.filter((e) => e.kind === 'bound' && e.keyKind === 'temp' && e.keyId !== null)
    const margins: number[] = []
    for (let i = 1; i < bound.length; i++) {
      const oldKey = seen.get(serverKeyId(bound[i - 1]?.keyId ?? ''))
      const newKey = seen.get(serverKeyId(bound[i]?.keyId ?? ''))
      const newEvent = bound[i]
      if (!oldKey || !newKey || !newEvent) continue
      // both are upper bounds of the server's bind time; the tighter one counts
      const boundAt = Math.min(newKey.boundSeenAt ?? Infinity, newEvent.seenAt)
      margins.push(oldKey.expiresAt * 1000 - boundAt)
    }
    figure('rotation', {
      calls: s.total,
      ratePerS: +(s.total / (RUN_MS / 1000)).toFixed(1),
      rotations: state?.rotations,
      windows: windows.length,
      callsInWindows: during.length,
      p50,
      p99,
      max: { steady: Math.max(...steady), rotation: Math.max(...during) },
      windowMs: { p50: percentile(windowMs, 50), max: Math.max(...windowMs) },
      bindMarginMs: { min: Math.min(...margins), checked: margins.length },
    })
    console.log(`[bench-rotation] ${JSON.stringify({ calls: s, rotations: state?.rotations ?? 0, windows: windows.length, during, steady, windowMs, margins, n404: (statsAfter.transportErrors['-404'] ?? 0) - (statsBefore.transportErrors['-404'] ?? 0) })}`)
    expect(s.failed).toBe(0)
  })
})
