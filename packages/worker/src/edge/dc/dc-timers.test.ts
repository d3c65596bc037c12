import { describe, expect, it } from 'vitest'
import { DcTimers } from './dc-timers.ts'

function fakeEnv() {
  let now = 0
  const pending = new Map<number, { at: number; fn: () => void }>()
  let seq = 0
  const env = {
    clock: { now: () => now, wallNow: () => now },
    setTimer(ms: number, fn: () => void) {
      const id = ++seq
      pending.set(id, { at: now + ms, fn })
      return () => void pending.delete(id)
    },
  }
  // fires due timers in time order, the clock at each one's time, including timers armed while firing
  const advance = (ms: number) => {
    const end = now + ms
    for (;;) {
      const next = [...pending].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
      if (!next) break
      pending.delete(next[0])
      now = Math.max(now, next[1].at)
      next[1].fn()
    }
    now = end
  }
  return { env, pending, advance }
}

describe('DcTimers', () => {
  it('re-arming a name replaces its timer; the check before each firing runs first', () => {
    const { env, pending, advance } = fakeEnv()
    const order: string[] = []
    const t = new DcTimers(env, () => order.push('check'))
    t.later('ping', 100, () => order.push('first'))
    t.later('ping', 200, () => order.push('second'))
    expect(pending.size).toBe(1)
    advance(250)
    expect(order).toEqual(['check', 'second'])
  })

  it('issue #17: a re-arm for later keeps one host timer, and only the newest runs, at its own time', () => {
    const { env, pending, advance } = fakeEnv()
    const fired: string[] = []
    const t = new DcTimers(env, () => undefined)
    t.later('stall', 100, () => fired.push('first'))
    const armed = [...pending.values()][0]
    t.later('stall', 150, () => fired.push('second'))
    t.later('stall', 300, () => fired.push('third'))
    expect([...pending.values()]).toEqual([armed])
    advance(299)
    expect(fired).toEqual([])
    advance(1)
    expect(fired).toEqual(['third'])
    expect(pending.size).toBe(0)
  })

  it('a re-arm for sooner replaces the host timer', () => {
    const { env, advance } = fakeEnv()
    const fired: number[] = []
    const t = new DcTimers(env, () => undefined)
    t.later('ack', 500, () => fired.push(500))
    t.later('ack', 50, () => fired.push(50))
    advance(50)
    expect(fired).toEqual([50])
    advance(1_000)
    expect(fired).toEqual([50])
  })

  it('stop() cancels every timer, ends sleeps with CLOSED and arms nothing after', async () => {
    const { env, pending, advance } = fakeEnv()
    const t = new DcTimers(env, () => undefined)
    const fired: string[] = []
    t.later('a', 10, () => fired.push('a'))
    const slept = t.sleep(1_000)
    t.stop()
    await expect(slept).rejects.toMatchObject({ code: 'CLOSED' })
    t.later('b', 10, () => fired.push('b'))
    await expect(t.sleep(5)).rejects.toMatchObject({ code: 'CLOSED' })
    expect(pending.size).toBe(0)
    advance(2_000)
    expect(fired).toEqual([])
    expect(t.signal.aborted).toBe(true)
  })

  it('cancel(name) forgets only that timer', () => {
    const { env, advance } = fakeEnv()
    const t = new DcTimers(env, () => undefined)
    const fired: string[] = []
    t.later('a', 10, () => fired.push('a'))
    t.later('b', 10, () => fired.push('b'))
    t.cancel('a')
    advance(20)
    expect(fired).toEqual(['b'])
  })
})
