/** ServerClockKeeper on a fake local clock: the one writer of a DC's server clock. */
import { describe, expect, it } from 'vitest'
import { ServerClockKeeper } from './server-clock.ts'

function localClock(wall: number, mono: number) {
  const c = { wall, mono }
  return { c, clock: { now: () => c.mono, wallNow: () => c.wall } }
}

describe('ServerClockKeeper', () => {
  it('starts unsynced at the wall clock', () => {
    const { clock } = localClock(1_700_000_000_000, 5_000)
    const k = new ServerClockKeeper(clock)
    expect(k.state.sync).toBe('unsynced')
    expect(k.serverNowS()).toBeCloseTo(1_700_000_000, 3)
  })

  it('a handshake server_time syncs it; a step that changes nothing says so', () => {
    const { c, clock } = localClock(1_700_000_000_000, 5_000)
    const k = new ServerClockKeeper(clock)
    expect(k.step({ type: 'handshake', serverTime: 1_700_000_100 })).toBe(true)
    expect(k.state).toMatchObject({ sync: 'synced', source: 'handshake' })
    // counted from server_time + 1 (policy/session/msg-id stepClock)
    expect(k.serverNowS()).toBeCloseTo(1_700_000_101, 3)
    c.mono += 2_000
    expect(k.serverNowS()).toBeCloseTo(1_700_000_103, 3)
    expect(k.step({ type: 'handshake', serverTime: 1 })).toBe(false)
  })

  it('issue #11: a sleep the monotonic clock did not see moves the server clock on by the time slept', () => {
    const { c, clock } = localClock(1_700_000_000_000, 5_000)
    const k = new ServerClockKeeper(clock)
    k.step({ type: 'handshake', serverTime: 1_700_000_000 })
    const before = k.serverNowS()
    expect(k.noticeSleep()).toBe(false)
    c.wall += 3_600_000
    expect(k.noticeSleep()).toBe(true)
    expect(k.serverNowS() - before).toBeCloseTo(3_600, 3)
    expect(k.state).toMatchObject({ sync: 'synced', source: 'handshake' })
    // noticed once: the next look finds nothing new
    expect(k.noticeSleep()).toBe(false)
  })

  it('the user setting the wall clock back is no sleep: the server clock stays', () => {
    const { c, clock } = localClock(1_700_000_000_000, 5_000)
    const k = new ServerClockKeeper(clock)
    const before = k.serverNowS()
    c.wall -= 3_600_000
    expect(k.noticeSleep()).toBe(false)
    expect(k.serverNowS()).toBeCloseTo(before, 3)
  })
})
