import { describe, expect, it } from 'vitest'
import { Outbox, type OutboxAction } from '../session/outbox.ts'
import type { TempKeyAction, TempKeyState } from './key-slots.ts'
import { DEFAULT_TEMP_KEY_CONFIG, NO_KEYS, stepTempKeys, trafficKey, type TempKeyConfig, type TempKeyEvent } from './temp-key-policy.ts'

/**
 * A fake runtime and server on a fake clock, driving temp-key-policy and the outbox
 * the way runtime.ts will: one policy timer, actions executed in order, calls sent
 * only on trafficKey(). The server forgets keys when `serverKnows` says so.
 */
const T = 1_700_000_000
const HANDSHAKE_MS = 150
const BIND_MS = 80
const ANSWER_MS = 300

interface SimKey { serverExpiry: number; boundAt: number | null; dropped: boolean }
interface Options { lifetimeS: number; durationMs: number; callEveryMs: number; serverKnows: (keyCreatedAt: number, now: number) => boolean }

function simulate(opts: Options) {
  let seed = 12345
  const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647)
  const config: TempKeyConfig = { ...DEFAULT_TEMP_KEY_CONFIG, minLifetimeS: opts.lifetimeS, maxLifetimeS: opts.lifetimeS }
  const box = new Outbox()
  const keys = new Map<string, SimKey & { createdAt: number }>()
  const queue: Array<{ at: number; run: () => void }> = []
  const log = { handshakes: [] as number[], failureHandshakes: [] as number[], rotations: [] as Array<{ at: number; oldExpiry: number; newKey: string }>, requeues: 0, delivered: new Map<number, number>(), sentOnUnbound: 0, pausedAfterFirstBind: 0 }
  let state: TempKeyState = NO_KEYS
  let now = 0
  let timerAt: number | null = null
  let nextKey = 0
  let nextCall = 0
  let msgId = 4n
  let everBound = false
  const serverNow = () => T + now / 1000

  const policy = (event: TempKeyEvent) => {
    const prev = state.current
    const r = stepTempKeys(state, event, { now, serverNow: serverNow(), sync: 'synced' }, rand, config)
    state = r.state
    if (event.type === 'bind-ok' && state.current?.id === event.keyId && prev !== null) {
      log.rotations.push({ at: serverNow(), oldExpiry: (keys.get(prev.id) as SimKey).serverExpiry, newKey: event.keyId })
    }
    r.actions.forEach(perform)
  }
  const outbox = (actions: OutboxAction[]) => {
    for (const a of actions) {
      if (a.type === 'deliver') log.delivered.set(a.callId, (log.delivered.get(a.callId) ?? 0) + 1)
      if (a.type === 'drained') policy({ type: 'in-flight-drained', keyId: a.keyId })
    }
  }
  const perform = (a: TempKeyAction) => {
    switch (a.type) {
      case 'start-temp-handshake': {
        log.handshakes.push(now)
        if (a.cause === 'failure') log.failureHandshakes.push(now)
        const id = `k${nextKey++}`
        const startServer = serverNow()
        queue.push({ at: now + HANDSHAKE_MS, run: () => {
          keys.set(id, { serverExpiry: startServer + a.expiresInS, boundAt: null, dropped: false, createdAt: now })
          policy({ type: 'temp-handshake-done', keyId: id })
        } })
        break
      }
      case 'send-bind':
        queue.push({ at: now + BIND_MS, run: () => {
          const k = keys.get(a.keyId) as SimKey & { createdAt: number }
          if (!opts.serverKnows(k.createdAt, now)) return policy({ type: 'transport-404', keyId: a.keyId })
          k.boundAt = now
          policy({ type: 'bind-ok', keyId: a.keyId, inFlightOnCurrent: state.current === null ? 0 : box.inFlightOn(state.current.id) })
        } })
        break
      case 'requeue-calls':
        log.requeues++
        outbox(box.step({ type: 'key-lost', keyId: a.keyId }, now))
        break
      case 'drop-key':
        ;(keys.get(a.keyId) as SimKey).dropped = true
        break
      case 'schedule':
        timerAt = a.atMs
        break
      default:
        break
    }
  }

  for (now = 0; now <= opts.durationMs; now += 10) {
    for (const e of queue.filter((q) => q.at <= now)) {
      queue.splice(queue.indexOf(e), 1)
      e.run()
    }
    if (now === 0 || (timerAt !== null && now >= timerAt)) {
      timerAt = null
      policy({ type: 'tick' })
    }
    if (now % opts.callEveryMs === 0 && now < opts.durationMs - 5_000) outbox(box.step({ type: 'enqueue', callId: nextCall++, deadlineAt: null }, now))
    const key = trafficKey(state, serverNow())
    if (key === null && everBound) log.pausedAfterFirstBind++
    if (key === null) continue
    everBound = true
    for (const callId of box.ready(now)) {
      const k = keys.get(key) as SimKey & { createdAt: number }
      if (k.boundAt === null || k.dropped || serverNow() >= k.serverExpiry) log.sentOnUnbound++
      msgId += 4n
      const id = msgId
      outbox(box.step({ type: 'sent', callId, msgId: id, containerId: null, keyId: key, sessionId: 1n }, now))
      queue.push({ at: now + ANSWER_MS, run: () => {
        if (box.callFor(id) === null) return
        if (!opts.serverKnows(k.createdAt, now)) return policy({ type: 'transport-404', keyId: key })
        outbox(box.step({ type: 'answer', msgId: id }, now))
      } })
    }
  }
  return { log, calls: nextCall, box, state, boundAt: [...keys.values()].map((k) => k.boundAt).filter((t): t is number => t !== null) }
}

const maxInAnyMinute = (starts: number[]) => Math.max(0, ...starts.map((t) => starts.filter((s) => s >= t && s < t + 60_000).length))

describe('rotation simulation', () => {
  it('make-before-break: 5 s keys for 60 s → ≥ 10 rotations, each new key bound before the old expired, no call on an unbound key', () => {
    const { log, calls, box } = simulate({ lifetimeS: 5, durationMs: 60_000, callEveryMs: 100, serverKnows: () => true })
    expect(log.rotations.length).toBeGreaterThanOrEqual(10)
    for (const r of log.rotations) expect(r.at).toBeLessThan(r.oldExpiry)
    expect(log.sentOnUnbound).toBe(0)
    expect(log.pausedAfterFirstBind).toBe(0) // a planned rotation never stops traffic
    expect(log.requeues).toBe(0) // nor loses a call
    expect(box.size).toBe(0)
    expect(log.delivered.size).toBe(calls)
    expect([...log.delivered.values()].every((n) => n === 1)).toBe(true)
  })

  it('pfs §1.7 storm: every key -404s for 60 s → ≤ 6 failure-driven handshakes per minute, then recovery with no call lost or doubled', () => {
    // the server loses every key during [1 s, 61 s); keys made after that live
    const { log, calls, box, state, boundAt } = simulate({
      lifetimeS: 86_400,
      durationMs: 180_000,
      callEveryMs: 500,
      serverKnows: (createdAt, at) => !(at >= 1_000 && (at < 61_000 || createdAt < 61_000)),
    })
    expect(maxInAnyMinute(log.failureHandshakes)).toBeLessThanOrEqual(6)
    expect(log.failureHandshakes.filter((t) => t >= 1_000 && t < 61_000).length).toBeLessThanOrEqual(6)
    // the storm's first minute starts with a planned rotation at most
    expect(log.handshakes.filter((t) => t >= 1_000 && t < 61_000).length - log.failureHandshakes.filter((t) => t >= 1_000 && t < 61_000).length).toBeLessThanOrEqual(1)
    expect(state.current).not.toBeNull()
    expect(log.pausedAfterFirstBind).toBeGreaterThan(0) // the storm did stop traffic: the test has teeth
    expect(Math.min(...boundAt.filter((t) => t >= 61_000))).toBeLessThan(121_000) // and it came back
    expect(log.sentOnUnbound).toBe(0)
    expect(box.size).toBe(0)
    expect(log.delivered.size).toBe(calls)
    expect([...log.delivered.values()].every((n) => n === 1)).toBe(true)
  })
})
