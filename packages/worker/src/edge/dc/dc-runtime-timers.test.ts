/**
 * Issue #18, defect 3: no timer of a DC can spin. The env here keeps virtual time and
 * treats delays as browsers and Node do: one past 2^31 − 1 ms fires after 1 ms.
 */
import { describe, expect, it } from 'vitest'
import type { EngineEnv } from '../../env.ts'
import { KeyStore } from '../../keys/key-store.ts'
import { DcRuntime } from './dc-runtime.ts'
import { OFFLINE_OPTIONS } from '../../test-support/engine-options.ts'
import { resolveOptions } from './options.ts'

const PLATFORM_MAX_MS = 2 ** 31 - 1

function virtualEnv() {
  let now = 0
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  const env: EngineEnv = {
    openSocket: () => {
      throw new Error('no sockets in this test')
    },
    permKeys: { get: async () => undefined, set: async () => undefined, delete: async () => undefined },
    clock: { now: () => now, wallNow: () => 1_700_000_000_000 + now },
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
    setTimer(ms, fn) {
      const id = ++seq
      // the platform's rule (HTML timers, Node's TimeoutOverflowWarning): too long → 1 ms
      timers.set(id, { at: now + (ms > PLATFORM_MAX_MS ? 1 : Math.max(0, ms)), fn })
      return () => void timers.delete(id)
    },
  }
  /** Runs due timers in time order up to `until`; returns how many fired (stops at `cap`: a spinning timer never lets time pass). */
  const runUntil = (until: number, cap = 100_000): number => {
    let fired = 0
    while (fired < cap) {
      let next: [number, { at: number; fn: () => void }] | null = null
      for (const e of timers) if (e[1].at <= until && (next === null || e[1].at < next[1].at)) next = e
      if (next === null) break
      timers.delete(next[0])
      now = next[1].at
      fired++
      next[1].fn()
    }
    now = until
    return fired
  }
  return { env, runUntil }
}

function runtime(env: EngineEnv): DcRuntime {
  const options = resolveOptions(OFFLINE_OPTIONS)
  return new DcRuntime(env, new KeyStore(), 2, 'ws://unused', options, [], { changed: () => undefined, keyEvent: () => undefined, update: () => undefined })
}

describe('DC timers are bounded and rate-limited (issue #18)', () => {
  it('a wake-up 2.1·10^12 ms away, re-armed on every firing (the temp-key policy tick), does not fire for 25 s', () => {
    const { env, runUntil } = virtualEnv()
    const dc = runtime(env)
    const arm = (): void => dc.later('temp-key-policy', 2.1e12, arm)
    arm()
    // before the bound: 25,000 firings in these 25 s (the issue saw 19,141 in real time)
    expect(runUntil(25_000)).toBe(0)
    dc.close()
  })

  it('a timer re-armed at 0 ms from its own firing fires at most once per 20 ms', () => {
    const { env, runUntil } = virtualEnv()
    const dc = runtime(env)
    let stop = false
    const arm = (): void => {
      if (!stop) dc.later('temp-key-policy', 0, arm)
    }
    arm()
    const fired = runUntil(1_000)
    stop = true
    expect(fired).toBeLessThanOrEqual(1_000 / 20 + 1)
    expect(fired).toBeGreaterThan(0)
    dc.close()
  })

  it('a call deadline armed through the DC is bounded too', () => {
    const { env, runUntil } = virtualEnv()
    const dc = runtime(env)
    let fired = 0
    dc.setTimer(2.1e12, () => fired++)
    runUntil(25_000)
    expect(fired).toBe(0)
    dc.close()
  })
})
