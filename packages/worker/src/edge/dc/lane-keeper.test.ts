/**
 * LaneKeeper on fake ports: what it does when a lane's connection drops, when the transport
 * reports an error, and with the ack, stall and keep-alive timers. Timers are recorded and
 * fired by hand; no socket.
 */
import { TransportError } from '@pfs-web/errors'
import { TlReader, decodeObject, type TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { stallConfig } from '../../policy/session/stall-watch.ts'
import type { Lane } from './lane.ts'
import type { Received } from './lane-inbound.ts'
import { LaneKeeper, type LaneKeeperHost } from './lane-keeper.ts'
import type { LaneRole } from '../../policy/session/keepalive.ts'
import type { KeyEvent } from '../../api.ts'

interface FakeLane {
  key: { idHex: string }
  session: { sessionId: bigint }
  reconnects: number
  isUp: boolean
  opens: number
  inits: string[]
  sent: string[]
  bodies: TlObject[]
  conn: { closedWith: Error | null; close(err?: Error): void } | null
  acks: string[]
  stalls: { type: string; owed?: boolean }[]
  open(): Promise<void>
  connectionFailed(): number
  resetBackoff(): void
  closeConnection(err: Error): void
  initEvent(e: { type: string }): void
  send(items: { body: Uint8Array | ((id: bigint) => Promise<Uint8Array>) }[]): Promise<unknown[]>
  ackEvent(e: { type: string }): void
  stallEvent(e: { type: string; owed: boolean }): void
}

function fakeLane(id: string, o: { openFails?: boolean } = {}): FakeLane {
  const lane: FakeLane = {
    key: { idHex: id },
    session: { sessionId: 7n },
    reconnects: 0,
    isUp: false,
    opens: 0,
    inits: [],
    sent: [],
    bodies: [],
    conn: { closedWith: null, close: (err) => void (lane.conn!.closedWith = err ?? null) },
    acks: [],
    stalls: [],
    connectionFailed: () => ++lane.reconnects,
    resetBackoff: () => void (lane.reconnects = 0),
    closeConnection: (err) => lane.conn?.close(err),
    async open() {
      lane.opens++
      if (o.openFails) throw new TransportError('CLOSED', 'refused')
      lane.isUp = true
    },
    initEvent: (e) => void lane.inits.push(e.type),
    async send(items) {
      for (const i of items) {
        if (!(i.body instanceof Uint8Array)) continue
        const obj = decodeObject(new TlReader(i.body))
        lane.bodies.push(obj)
        lane.sent.push(obj._)
      }
      return []
    },
    ackEvent: (e) => void lane.acks.push(e.type),
    stallEvent: (e) => void lane.stalls.push(e),
  }
  return lane
}

function setup() {
  let now = 1_000
  const timers = new Map<string, { at: number; fn: () => void }>()
  const lanes = new Map<string, FakeLane>()
  const log = { errors: [] as unknown[], failed: [] as string[], steps: [] as string[], statuses: 0, flushes: 0, messages: [] as string[], notFound: [] as string[], downs: [] as string[], events: [] as KeyEvent[] }
  let inFlight = false
  const host: LaneKeeperHost & { stopped: boolean; traffic: FakeLane | null; role: LaneRole; lastCallAt: number | null; online: boolean } = {
    stopped: false,
    online: true,
    traffic: null,
    role: 'main',
    lastCallAt: null,
    get lanes() {
      return lanes as unknown as ReadonlyMap<string, Lane>
    },
    get lane() {
      return host.traffic as unknown as Lane | null
    },
    get isStopped() {
      return host.stopped
    },
    stallConfig: stallConfig(15_000),
    calls: {
      step: (e) => void log.steps.push(e.type),
      flush: () => void log.flushes++,
      anyInFlightOn: () => inFlight,
    },
    service: { failLane: (l) => void log.failed.push(l.key.idHex), pendingOn: () => false },
    now: () => now,
    serverNowS: () => 1_700_000_000,
    rand: () => 0.5,
    later: (name, ms, fn) => void timers.set(name, { at: now + ms, fn }),
    setError: (e) => void log.errors.push(e),
    refreshStatus: () => void log.statuses++,
    env: { random: (n) => new Uint8Array(n).fill(3) },
    hooks: { keyEvent: (e) => void log.events.push(e) },
    event: (kind, key, detail) => ({ dcId: 2, kind, keyId: key?.idHex ?? null, keyKind: 'temp', at: 0, ...(detail !== undefined && { detail }) }),
  }
  const keeper = new LaneKeeper(host, {
    message: (_l, m) => void log.messages.push(m.obj._),
    keyNotFound: (l) => void log.notFound.push(l.key.idHex),
    down: (e) => void log.downs.push((e as { code?: string }).code ?? ''),
    msgIdInUse: () => false,
  })
  const add = (lane: FakeLane) => (lanes.set(lane.key.idHex, lane), lane as unknown as Lane)
  const fire = async (name: string) => {
    const t = timers.get(name)
    if (!t) throw new Error(`no timer ${name}`)
    timers.delete(name)
    now = t.at
    t.fn()
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }
  return { host, keeper, lanes, log, timers, add, fire, setInFlight: (v: boolean) => (inFlight = v), now: () => now }
}

describe('LaneKeeper', () => {
  it('issue #16: offline, a dropped lane opens no socket (its due reconnect, a drop, a call); online reopens it at once, backoff reset', async () => {
    const s = setup()
    const fake = fakeLane('aa')
    const lane = s.add(fake)
    s.host.traffic = fake
    for (let i = 0; i < 3; i++) s.keeper.onDown(lane, new TransportError('CLOSED', 'x'))
    s.host.online = false
    await s.fire('reconnect-aa')
    s.keeper.onDown(lane, new TransportError('CLOSED', 'x'))
    expect(s.timers.has('reconnect-aa')).toBe(false)
    s.keeper.wake()
    await Promise.resolve()
    expect(fake.opens).toBe(0)
    expect(s.keeper.isParked(lane)).toBe(true)
    s.host.online = true
    s.keeper.reconnect()
    await Promise.resolve()
    expect(fake.opens).toBe(1)
    expect(fake.reconnects).toBe(0)
  })

  it('issue #16: reconnect() leaves an idle pool lane parked (it reopens on its next call)', () => {
    const s = setup()
    s.host.role = 'pool'
    const fake = fakeLane('aa')
    s.keeper.onDown(s.add(fake), new TransportError('CLOSED', 'x'))
    s.keeper.reconnect()
    expect(fake.opens).toBe(0)
    expect(s.keeper.isParked(fake as unknown as Lane)).toBe(true)
  })

  it('issue #16: a check arms the traffic lane\'s stall watch: it owes a sign of life until a packet comes', () => {
    const s = setup()
    const fake = fakeLane('aa')
    fake.isUp = true
    const lane = s.add(fake)
    s.host.traffic = fake
    expect(s.keeper.owesAnswers(lane)).toBe(false)
    s.keeper.probe()
    expect(fake.stalls).toEqual([{ type: 'sent-request' }])
    expect(s.keeper.owesAnswers(lane)).toBe(true)
    s.keeper.onMessage(lane, { msgId: 1n, seqno: 0, obj: { _: 'pong', msg_id: 1n, ping_id: 1n } } as unknown as Received)
    expect(s.keeper.owesAnswers(lane)).toBe(false)
  })

  it('a dropped connection: the error is shown, its requests requeued, and it reopens after a backoff', async () => {
    const s = setup()
    const fake = fakeLane('aa')
    const lane = s.add(fake)
    s.host.traffic = fake
    const down = new TransportError('CLOSED', 'socket closed')
    s.keeper.onDown(lane, down)
    expect(s.log.errors).toEqual([down])
    expect(s.log.failed).toEqual(['aa'])
    expect(s.log.steps).toEqual(['session-lost'])
    expect(fake.reconnects).toBe(1)
    expect(s.log.events).toMatchObject([{ kind: 'reconnect', keyId: 'aa', detail: 'CLOSED' }])
    const t = s.timers.get('reconnect-aa')!
    expect(t.at).toBeGreaterThan(s.now())
    await s.fire('reconnect-aa')
    expect(fake.inits).toEqual(['reopened'])
    expect(fake.opens).toBe(1)
    // the reopened lane carries traffic: what waited goes out
    expect(s.log.flushes).toBe(1)
  })

  it('each failed reconnect waits longer (retry policy backoff)', () => {
    const s = setup()
    const fake = fakeLane('aa', { openFails: true })
    const lane = s.add(fake)
    const delays: number[] = []
    for (let i = 0; i < 4; i++) {
      s.keeper.onDown(lane, new TransportError('CLOSED', 'x'))
      delays.push(s.timers.get('reconnect-aa')!.at - s.now())
    }
    expect(delays).toEqual([...delays].sort((a, b) => a - b))
    expect(delays[3]).toBeGreaterThan(delays[0]!)
  })

  it('a lane that is no longer the DC\'s, or a stopped DC, is not reopened', async () => {
    const s = setup()
    const gone = fakeLane('bb')
    s.keeper.onDown(gone as unknown as Lane, new Error('x'))
    expect(s.timers.has('reconnect-bb')).toBe(false)
    const kept = fakeLane('cc')
    const lane = s.add(kept)
    s.keeper.onDown(lane, new Error('x'))
    s.host.stopped = true
    await s.fire('reconnect-cc')
    expect(kept.opens).toBe(0)
  })

  it('a reopened lane that does not carry traffic flushes nothing', async () => {
    const s = setup()
    const lane = s.add(fakeLane('aa'))
    s.keeper.onDown(lane, new Error('x'))
    await s.fire('reconnect-aa')
    expect(s.log.flushes).toBe(0)
  })

  it('a drop is passed on, for time-sync to judge (a bad msg time may need a handshake)', () => {
    const s = setup()
    const lane = s.add(fakeLane('aa'))
    s.keeper.onDown(lane, Object.assign(new Error('bad time'), { code: 'BAD_MSG_TIME' }))
    expect(s.log.downs).toEqual(['BAD_MSG_TIME'])
  })

  it('transport -404 is the key\'s; another transport error closes the connection', () => {
    const s = setup()
    const fake = fakeLane('aa')
    const lane = s.add(fake)
    s.keeper.onTransportError(lane, -404)
    expect(s.log.notFound).toEqual(['aa'])
    expect(fake.conn!.closedWith).toBeNull()
    s.keeper.onTransportError(lane, -429)
    expect(s.log.notFound).toEqual(['aa'])
    expect(fake.conn!.closedWith).toMatchObject({ code: -429 })
  })

  it('received messages go to dispatch', () => {
    const s = setup()
    const lane = s.add(fakeLane('aa'))
    const msg: Received = { msgId: 1n, seqno: 1, obj: { _: 'pong', msg_id: 1n, ping_id: 2n } }
    s.keeper.onMessage(lane, msg)
    expect(s.log.messages).toEqual(['pong'])
  })

  it('the ack flush fires at the time the ack rule asked', async () => {
    const s = setup()
    const fake = fakeLane('aa')
    s.keeper.scheduleAckFlush(s.add(fake), s.now() + 300)
    expect(s.timers.get('ack-aa')!.at).toBe(s.now() + 300)
    await s.fire('ack-aa')
    expect(fake.acks).toEqual(['tick'])
  })

  it('a stall check runs only on the lane it was armed for, with what it owes then', async () => {
    const s = setup()
    const fake = fakeLane('aa')
    const lane = s.add(fake)
    s.setInFlight(true)
    s.keeper.scheduleStallCheck(lane, s.now() + 100)
    await s.fire('stall-aa')
    expect(fake.stalls).toEqual([{ type: 'tick', owed: true }])
    const replaced = fakeLane('aa')
    s.keeper.scheduleStallCheck(lane, s.now() + 100)
    s.lanes.set('aa', replaced)
    await s.fire('stall-aa')
    expect(fake.stalls).toHaveLength(1)
    expect(replaced.stalls).toEqual([])
  })

  it('mtproto-tl.md ping_delay_disconnect: the traffic lane is pinged every 60 s with a 75 s delay, while it is up', async () => {
    const s = setup()
    const fake = fakeLane('aa')
    s.add(fake)
    s.host.traffic = fake
    s.keeper.keepAlive()
    expect(s.timers.get('ping')!.at - s.now()).toBe(60_000)
    await s.fire('ping')
    expect(fake.sent).toEqual([])
    fake.isUp = true
    await s.fire('ping')
    expect(fake.bodies).toEqual([expect.objectContaining({ _: 'ping_delay_disconnect', disconnect_delay: 75 })])
    expect(s.timers.has('ping')).toBe(true)
  })

  it('salts running out ask the server for future salts on that lane', async () => {
    const s = setup()
    const fake = fakeLane('aa')
    s.keeper.onSaltRefresh(s.add(fake), 32)
    await Promise.resolve()
    expect(fake.sent).toEqual(['get_future_salts'])
  })

  it('a pool lane is pinged while it carries calls; idle a minute, it is left for the server to close', async () => {
    const s = setup()
    const fake = fakeLane('aa')
    fake.isUp = true
    s.add(fake)
    s.host.traffic = fake
    s.host.role = 'pool'
    s.host.lastCallAt = s.now()
    s.keeper.keepAlive()
    // the ping fires 60 s after the last call: idle a whole interval, not pinged
    await s.fire('ping')
    expect(fake.bodies).toEqual([])
    // a call 1 s before the next ping fires
    s.host.lastCallAt = s.now() + 59_000
    await s.fire('ping')
    expect(fake.bodies).toEqual([expect.objectContaining({ _: 'ping_delay_disconnect' })])
    // no call since: the next ping is skipped, the loop itself goes on
    await s.fire('ping')
    expect(fake.bodies).toHaveLength(1)
    expect(s.timers.has('ping')).toBe(true)
  })

  it('an idle pool lane the server closed is parked, and reopens on the next call only', async () => {
    const s = setup()
    const fake = fakeLane('aa')
    const lane = s.add(fake)
    s.host.traffic = fake
    s.host.role = 'pool'
    s.keeper.onDown(lane, new TransportError('CLOSED', 'ping_delay_disconnect'))
    expect(s.timers.has('reconnect-aa')).toBe(false)
    expect(fake.opens).toBe(0)
    s.keeper.wake()
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(fake.inits).toEqual(['reopened'])
    expect(fake.opens).toBe(1)
    expect(s.log.flushes).toBe(1)
    // woken once: a second wake does not reopen it again
    s.keeper.wake()
    expect(fake.opens).toBe(1)
  })

  it('a pool lane that owes answers when it drops reconnects at once, as main does', () => {
    const s = setup()
    const fake = fakeLane('aa')
    const lane = s.add(fake)
    s.host.role = 'pool'
    s.setInFlight(true)
    s.keeper.onDown(lane, new TransportError('CLOSED', 'x'))
    expect(s.timers.has('reconnect-aa')).toBe(true)
  })
})
