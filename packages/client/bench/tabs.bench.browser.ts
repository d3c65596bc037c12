/**
 * `pnpm bench:tabs` (issue #15), run by packages/client/bench/tabs.ts, never by the test
 * suite: for each sharing mode, a first tab starts and answers help.getConfig, then a
 * second tab does; it times createPfsClient() → first answer for each, and counts what the
 * server saw of each tab's start (handshakes, sockets). Modes are interleaved per round,
 * each round on a fresh storage name, so 'none' (an engine per tab) is the same-run anchor.
 */
import { ControlClient } from '@pfs-web/control-client'
import { inject, it } from 'vitest'
import type { Sharing } from '../src/engine-link.ts'
import { deleteDatabase, isolatedServer, lifecycleClient, type LifecycleClient } from '../test/lifecycle-harness.ts'

const DC = 2
declare module 'vitest' {
  export interface ProvidedContext {
    tabsRounds: number
  }
}

const ROUNDS = inject('tabsRounds')
const MODES: Sharing[] = ['none', 'shared-worker', 'leader']
const server = isolatedServer('tabs')
const control = new ControlClient(server.controlUrl)

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)
async function seen(): Promise<{ handshakes: number; sockets: number }> {
  const s = await control.stats()
  return { handshakes: sum(s.handshakes.perm) + sum(s.handshakes.temp), sockets: s.connections.total }
}

interface TabStart {
  mode: Sharing
  tab: 1 | 2
  ms: number
  handshakes: number
  sockets: number
}

it('tab start-up per sharing mode', { timeout: 600_000 }, async () => {
  const starts: TabStart[] = []
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      const storageName = `pfs-bench-tabs-${Date.now()}-${round}-${mode}`
      const tabs: LifecycleClient[] = []
      for (const tab of [1, 2] as const) {
        const before = await seen()
        const t0 = performance.now()
        const lc = lifecycleClient(server, DC, { storageName, sharing: mode })
        tabs.push(lc)
        await lc.client.getConfig(DC)
        const ms = performance.now() - t0
        const after = await seen()
        starts.push({ mode, tab, ms, handshakes: after.handshakes - before.handshakes, sockets: after.sockets - before.sockets })
      }
      await Promise.all(tabs.map((t) => t.client.close()))
      await deleteDatabase(storageName)
    }
  }
  // eslint-disable-next-line no-console -- the driver reads this line
  console.log(`[bench-tabs] ${JSON.stringify({ rounds: ROUNDS, starts })}`)
})
