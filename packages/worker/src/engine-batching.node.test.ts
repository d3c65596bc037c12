import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type FaultsApi, type RunningServer } from '@pfs-web/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { WorkerApi } from './api.ts'
import { createEngine } from './engine.ts'
import type { SocketLike } from './env.ts'
import { engineOptions } from './test-support/engine-options.ts'
import { memoryPermKeys, nodeEnv, openNodeSocket, wrapperOf } from './test-support/node-env.ts'

let server: RunningServer
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-batch-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterEach(async () => {
  await server.faults.apply({ type: 'clear' })
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/** Sockets that can be told to lose the next frame the engine sends and then drop. */
function droppingOpener(): { open: (url: string) => SocketLike; loseNextFrame: () => void } {
  let lose = false
  const open = (url: string): SocketLike => {
    const inner = openNodeSocket(url)
    const outer = wrapperOf(inner, (data) => {
      if (!lose) return inner.send(data)
      lose = false
      inner.close()
    })
    inner.onopen = (e) => outer.onopen?.(e)
    inner.onclose = (e) => outer.onclose?.(e)
    inner.onerror = (e) => outer.onerror?.(e)
    inner.onmessage = (e) => outer.onmessage?.(e)
    return outer
  }
  return { open, loseNextFrame: () => void (lose = true) }
}

/** A connected engine whose initConnection is done, so every later call goes out plain. */
async function readyEngine(open = openNodeSocket): Promise<WorkerApi> {
  const engine = createEngine(nodeEnv(memoryPermKeys(), open))
  await engine.init(engineOptions(server, 20_000))
  await engine.connect()
  await engine.getNearestDc()
  return engine
}

/** Packets by API calls carried, since `before` (server stats). */
function packetsSince(before: Record<string, number>): Record<string, number> {
  const now = server.stats().apiCallsPerPacket
  const out: Record<string, number> = {}
  for (const [calls, n] of Object.entries(now)) if (n - (before[calls] ?? 0) > 0) out[calls] = n - (before[calls] ?? 0)
  return out
}

/** 32 calls issued in one turn; resolves with each one's answer. */
function burst(engine: WorkerApi): Promise<number[]> {
  return Promise.all(Array.from({ length: 32 }, () => engine.getNearestDc().then((r) => r.thisDc)))
}

describe('batching: calls issued in one turn share one msg_container (issue #17)', () => {
  it('32 calls issued in one turn reach the server in one packet, and all 32 are answered', async () => {
    const engine = await readyEngine()
    const before = server.stats().apiCallsPerPacket
    expect(await burst(engine)).toEqual(Array(32).fill(2))
    expect(packetsSince(before)).toEqual({ 32: 1 })
    expect(server.stats().violations.count).toBe(0)
    await engine.close()
  })

  it.each<{ rule: string; fault: Parameters<FaultsApi['apply']>[0]; badMsg: string }>([
    { rule: 'enc §6: bad_server_salt naming the container resends all 32 together', fault: { type: 'salt' }, badMsg: '48' },
    { rule: 'enc §6: bad_msg 16 (client clock behind) naming the container resends all 32 together', fault: { type: 'clock-offset', seconds: 600 }, badMsg: '16' },
  ])('$rule', async ({ fault, badMsg }) => {
    const engine = await readyEngine()
    const before = server.stats().apiCallsPerPacket
    const notices = server.stats().badMsgNotifications[badMsg] ?? 0
    await server.faults.apply(fault)
    expect(await burst(engine)).toEqual(Array(32).fill(2))
    expect((server.stats().badMsgNotifications[badMsg] ?? 0) - notices).toBe(1)
    // the refused container ran nothing; its resend carried all 32 at once
    expect(packetsSince(before)).toEqual({ 32: 1 })
    await engine.close()
  })

  it('a container lost with its connection is sent again whole on the new one, each call answered once', async () => {
    const sockets = droppingOpener()
    const engine = await readyEngine(sockets.open)
    const before = server.stats().apiCallsPerPacket
    sockets.loseNextFrame()
    expect(await burst(engine)).toEqual(Array(32).fill(2))
    expect(packetsSince(before)).toEqual({ 32: 1 })
    await engine.close()
  })
})
