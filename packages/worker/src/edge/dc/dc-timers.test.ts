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
  const advance = (ms: number) => {
    now += ms
    for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > now || !pending.has(id)) continue
      pending.delete(id)
      t.fn()
    }
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

  it('keepEarlier leaves a timer armed no later in place, running the newest fn; one due sooner replaces it', () => {
    const { env, pending, advance } = fakeEnv()
    const t = new DcTimers(env, () => undefined)
    const fired: string[] = []
    t.later('stall', 100, () => fired.push('first'), true)
    const [handle] = pending.keys()
    advance(10)
    // due at 10 + 200: the timer due at 100 stays and runs the newest fn
    t.later('stall', 200, () => fired.push('second'), true)
    expect([...pending.keys()]).toEqual([handle])
    advance(90)
    expect(fired).toEqual(['second'])
    t.later('ack', 100, () => fired.push('third'), true)
    // due 50 from now, before the armed 100: re-armed
    t.later('ack', 50, () => fired.push('fourth'), true)
    expect(pending.size).toBe(1)
    advance(49)
    expect(fired).toEqual(['second'])
    advance(1)
    expect(fired).toEqual(['second', 'fourth'])
    advance(1_000)
    expect(fired).toEqual(['second', 'fourth'])
  })

  it('without keepEarlier a later deadline still replaces an earlier timer', () => {
    const { env, advance } = fakeEnv()
    const t = new DcTimers(env, () => undefined)
    const fired: number[] = []
    t.later('reconnect', 100, () => fired.push(100))
    t.later('reconnect', 300, () => fired.push(300))
    advance(200)
    expect(fired).toEqual([])
    advance(100)
    expect(fired).toEqual([300])
  })
})
