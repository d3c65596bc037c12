/**
 * Issue #18, defect 4: after a server clock correction the requeued call is resent at once.
 * The engine's long timers (≥ PARKED_FROM_MS: call deadlines, the stall watch's ping,
 * handshake and bind timeouts) are parked and never fire, so only the protocol can answer
 * the call: before the fix the requeue after bad_msg 16/17 waited for the deadline, and
 * here it would wait forever. What is counted is round trips, not milliseconds.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '@pfs-web/server'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkerApi } from './api.ts'
import { createEngine } from './engine.ts'
import type { EngineEnv } from './env.ts'
import { engineOptions } from './test-support/engine-options.ts'
import { nodeEnv } from './test-support/node-env.ts'

const PARKED_FROM_MS = 5_000
const DEADLINE_MS = 20_000

let server: RunningServer | null = null
let dataDir = ''
let engine: WorkerApi | null = null

afterEach(async () => {
  await engine?.close()
  engine = null
  await server?.close()
  server = null
  rmSync(dataDir, { recursive: true, force: true })
})

/** nodeEnv whose timers of PARKED_FROM_MS or more are recorded and never fire. */
function parkingEnv(): { env: EngineEnv; parked: number[] } {
  const parked: number[] = []
  const base = nodeEnv()
  return {
    parked,
    env: {
      ...base,
      setTimer(ms, fn) {
        if (ms < PARKED_FROM_MS) return base.setTimer(ms, fn)
        parked.push(ms)
        return () => undefined
      },
    },
  }
}

describe('a call requeued by a clock correction is resent at once (issue #18, encryption.md §6)', () => {
  it.each([
    { rule: 'enc §6: +301 s → bad_msg 16, resync from its msg_id, resend', skewS: 301 },
    { rule: 'enc §6: +600 s → bad_msg 16, resync from its msg_id, resend', skewS: 600 },
    { rule: 'enc §6: +3600 s → bad_msg 16, resync from its msg_id, resend', skewS: 3_600 },
    { rule: 'enc §6: −3600 s → bad_msg 17 with no clock → handshake server_time, new session, resend', skewS: -3_600 },
  ])('$rule', async ({ skewS }) => {
    dataDir = mkdtempSync(join(tmpdir(), 'pfs-engine-skew-'))
    server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
    const { env, parked } = parkingEnv()
    engine = createEngine(env)
    await engine.init(engineOptions(server, DEADLINE_MS))
    await engine.connect()
    const executed = (): number => server?.stats().apiCalls['help.getConfig'] ?? 0
    await server.faults.apply({ type: 'clock-offset', seconds: skewS })
    const badMsgsBefore = { ...server.stats().badMsgNotifications }
    // the deadline is among the parked timers: it cannot be what settles the call
    const config = await engine.getConfig()
    expect(parked.some((ms) => ms > DEADLINE_MS - 1_000 && ms <= DEADLINE_MS)).toBe(true)
    expect(config.thisDc).toBe(2)
    // a time notice (two when a stand-alone ack went out with the old clock first), then the
    // resent call executed once: a round trip more, not a deadline
    const notices = server.stats().badMsgNotifications
    const code = skewS > 0 ? '16' : '17'
    const drawn = (notices[code] ?? 0) - (badMsgsBefore[code] ?? 0)
    expect(drawn).toBeGreaterThanOrEqual(1)
    expect(drawn).toBeLessThanOrEqual(2)
    expect(executed()).toBe(1)
    // and the clock is the server's now: the next call needs no correction
    expect((await engine.getConfig()).thisDc).toBe(2)
    expect(server.stats().badMsgNotifications[code]).toBe(notices[code])
    expect(executed()).toBe(2)
  })
})
