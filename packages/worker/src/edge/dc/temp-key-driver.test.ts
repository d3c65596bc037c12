/**
 * The temp-key driver on fake ports: how it performs the policy's actions (handshake, key
 * store, lane, bind, traffic switch) and feeds their outcomes back, with no socket and no
 * server. Timers are recorded and fired by hand.
 */
import { TransportError } from '@pfs-web/errors'
import type { TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import type { KeyEvent, WorkerOptions } from '../../api.ts'
import { EngineError } from '../../errors.ts'
import type { HandshakeResult } from '../../handshake/handshake.ts'
import { KeyStore, type KeyHandle } from '../../keys/key-store.ts'
import type { TempKeyAction } from '../../policy/pfs/key-slots.ts'
import type { InitEvent } from '../../policy/session/init-connection.ts'
import { OFFLINE_OPTIONS } from '../../test-support/engine-options.ts'
import type { ClockEvent } from '../../policy/session/msg-id.ts'
import { resolveOptions } from './options.ts'
import { TempKeyDriver, type TempKeyHost } from './temp-key-driver.ts'

const T = 1_700_000_000
const OPTIONS: WorkerOptions = { ...OFFLINE_OPTIONS, tempKeyLifetimeS: [60, 60] }

/** Stands for the connection a handshake ran on and hands over. */
interface FakeConn {
  closed: boolean
  close(): void
}

const fakeConn = (): FakeConn => {
  const c = { closed: false, close: () => void (c.closed = true) }
  return c
}

interface FakeLane {
  key: KeyHandle
  conn: FakeConn
  bound: boolean
  markBound(): void
  session: { sessionId: bigint; lastMsgId: bigint }
  inits: InitEvent['type'][]
  open(): Promise<void>
  initEvent(e: InitEvent): void
  resetSession(): void
}

type Answer = TlObject | Error

/** A DC with every port faked; `answers` are the bind's, in order. */
function fakeDc(o: { answers?: Answer[]; openFails?: boolean; handshake?: () => Promise<HandshakeResult & { conn: FakeConn }> } = {}) {
  let now = 0
  const timers = new Map<string, { at: number; fn: () => void }>()
  const keys = new KeyStore()
  const lanes = new Map<string, FakeLane>()
  const answers = [...(o.answers ?? [{ _: 'boolTrue' }])]
  const log = {
    events: [] as KeyEvent[],
    switches: [] as Extract<TempKeyAction, { type: 'switch-traffic' }>[],
    clock: [] as ClockEvent[],
    binds: [] as string[],
    dropped: [] as string[],
    counted: [] as string[],
    conns: [] as FakeConn[],
  }
  let traffic: FakeLane | null = null
  let perm: KeyHandle | null = null
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))
  const host = {
    dcId: 2,
    url: 'ws://unused',
    env: { random },
    keys,
    options: resolveOptions(OPTIONS),
    hooks: { changed: () => undefined, keyEvent: (e: KeyEvent) => void log.events.push(e), update: () => undefined },
    lanes,
    get lane() {
      return traffic
    },
    calls: { step: () => undefined, flush: () => undefined, inFlightOn: () => 0 },
    service: {
      clockSynced: () => undefined,
      async request(lane: FakeLane): Promise<TlObject> {
        log.binds.push(lane.key.idHex)
        const a = answers.shift() ?? { _: 'boolTrue' }
        if (a instanceof Error) throw a
        return a
      },
    },
    isStopped: false,
    clock: { sync: 'synced', offsetS: T },
    now: () => now,
    serverNowS: () => T + now / 1000,
    rand: () => 0.5,
    clockEvent: (e: ClockEvent) => (log.clock.push(e), true),
    requestRotation: () => undefined,
    event: (kind: KeyEvent['kind'], key: KeyHandle | null, detail?: string): KeyEvent => ({ dcId: 2, kind, keyId: key?.idHex ?? null, keyKind: key?.kind ?? 'temp', at: T, ...(detail !== undefined ? { detail } : {}) }),
    async runHandshake(): Promise<HandshakeResult & { conn: FakeConn }> {
      const r = o.handshake ? await o.handshake() : { mode: { kind: 'temp', expiresIn: 60 }, authKey: random(256), serverSalt: 1n, serverTime: T, serverTimeAt: now, conn: fakeConn() } as const
      log.conns.push(r.conn)
      return r
    },
    async permKey() {
      perm ??= keys.add(2, 'perm', random(256), T, null)
      return perm
    },
    permAgeS: () => null,
    addLane(key: KeyHandle, _salt: bigint, conn: FakeConn): FakeLane {
      const lane: FakeLane = {
        key,
        conn,
        bound: false,
        markBound: () => void (lane.bound = true),
        session: { sessionId: 7n, lastMsgId: 0n },
        inits: [],
        open: async () => {
          if (o.openFails) throw new TransportError('CLOSED', 'refused')
        },
        initEvent: (e) => void lane.inits.push(e.type),
        resetSession: () => undefined,
      }
      lanes.set(key.idHex, lane)
      return lane
    },
    switchTraffic(a: Extract<TempKeyAction, { type: 'switch-traffic' }>) {
      log.switches.push(a)
      traffic = a.keyId === null ? null : (lanes.get(a.keyId) ?? null)
    },
    dropLane(keyId: string) {
      const lane = lanes.get(keyId)
      if (!lane) return
      lanes.delete(keyId)
      keys.drop(lane.key)
      log.dropped.push(keyId)
    },
    permKeyDead: async () => undefined,
    bindReported: () => undefined,
    later(name: string, ms: number, fn: () => void) {
      timers.set(name, { at: now + ms, fn })
    },
    refreshStatus: () => undefined,
    setError: () => undefined,
    count: (what: string) => void log.counted.push(what),
  }
  const driver = new TempKeyDriver(host as unknown as TempKeyHost)
  /** Runs every promise the driver started (its I/O here resolves at once). */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve()
  }
  /** Moves time to the policy's wake-up and fires it. */
  const fireWake = async () => {
    const t = timers.get('temp-key-policy')
    if (!t) throw new Error('no wake-up armed')
    timers.delete('temp-key-policy')
    now = t.at
    t.fn()
    await settle()
  }
  return { driver, host, log, keys, lanes, timers, settle, fireWake, wakeIn: () => (timers.get('temp-key-policy')?.at ?? NaN) - now }
}

const kinds = (events: KeyEvent[]) => events.map((e) => e.kind)

describe('temp-key driver', () => {
  it('a tick makes a key: handshake, the clock from its server_time, key stored and reported, lane opened, bound, traffic on it, next query wrapped', async () => {
    const dc = fakeDc()
    dc.driver.step({ type: 'tick' })
    await dc.settle()
    expect(kinds(dc.log.events)).toEqual(['handshake-started', 'created', 'bound'])
    expect(dc.log.clock).toEqual([{ type: 'handshake', serverTime: T }])
    const id = dc.log.events[1]?.keyId as string
    expect(dc.log.binds).toEqual([id])
    expect(dc.log.switches).toEqual([{ type: 'switch-traffic', keyId: id, cause: 'first', replaced: null }])
    expect(dc.lanes.get(id)?.bound).toBe(true)
    expect(dc.lanes.get(id)?.inits).toEqual(['bound'])
    expect(dc.log.counted).toEqual(['temp', 'binds'])
    expect(dc.driver.state.current?.id).toBe(id)
    // issue #17: the bind and the calls go on the handshake's own connection, kept open
    expect(dc.log.conns).toHaveLength(1)
    expect(dc.lanes.get(id)?.conn).toBe(dc.log.conns[0])
    expect(dc.log.conns[0]?.closed).toBe(false)
  })

  it('pfs §1.6: a bind whose connection dropped unanswered goes out again on the same key after a backoff', async () => {
    const dc = fakeDc({ answers: [new TransportError('CLOSED', 'lane down'), { _: 'boolTrue' }] })
    dc.driver.step({ type: 'tick' })
    await dc.settle()
    expect(dc.log.binds).toHaveLength(1)
    expect(kinds(dc.log.events)).toEqual(['handshake-started', 'created'])
    expect(dc.wakeIn()).toBe(188) // the first rebind's backoff at rand ½
    await dc.fireWake()
    expect(dc.log.binds).toHaveLength(2)
    expect(dc.log.binds[1]).toBe(dc.log.binds[0])
    expect(kinds(dc.log.events)).toEqual(['handshake-started', 'created', 'bound'])
  })

  it('a bind that timed out is not resent: the policy waits out its step timeout, then makes another key', async () => {
    const dc = fakeDc({ answers: [new EngineError('TIMEOUT', 'no answer')] })
    dc.driver.step({ type: 'tick' })
    await dc.settle()
    expect(dc.log.binds).toHaveLength(1)
    expect(dc.wakeIn()).toBe(30_000)
    const first = dc.log.binds[0] as string
    await dc.fireWake()
    expect(dc.log.dropped).toEqual([first])
    expect(dc.driver.state.storm.failures).toBe(1)
  })

  it('closed while the handshake runs: the new key is zeroed and never stored or reported', async () => {
    let authKey: Uint8Array | null = null
    let finish = (): void => undefined
    const dc = fakeDc({
      handshake: () =>
        new Promise((resolve) => {
          finish = () => {
            authKey = crypto.getRandomValues(new Uint8Array(256))
            resolve({ mode: { kind: 'temp', expiresIn: 60 }, authKey, serverSalt: 1n, serverTime: T, serverTimeAt: 0, conn: fakeConn() })
          }
        }),
    })
    dc.driver.step({ type: 'tick' })
    await dc.settle()
    dc.host.isStopped = true
    finish()
    await dc.settle()
    expect(authKey).not.toBeNull()
    expect((authKey as unknown as Uint8Array).every((b) => b === 0)).toBe(true)
    expect(kinds(dc.log.events)).toEqual(['handshake-started'])
    expect(dc.lanes.size).toBe(0)
    // and its socket does not outlive the engine
    expect(dc.log.conns.map((c) => c.closed)).toEqual([true])
  })

  it('a handshake result no lane can take (a key of the wrong size): its connection is closed, storm control counts a failure', async () => {
    const dc = fakeDc({
      handshake: async () => ({ mode: { kind: 'temp', expiresIn: 60 }, authKey: new Uint8Array(255), serverSalt: 1n, serverTime: T, serverTimeAt: 0, conn: fakeConn() }),
    })
    dc.driver.step({ type: 'tick' })
    await dc.settle()
    expect(dc.lanes.size).toBe(0)
    expect(dc.log.conns.map((c) => c.closed)).toEqual([true])
    expect(dc.driver.state.storm.failures).toBe(1)
  })

  it("a new key's lane that cannot open: the lane is dropped (its key zeroed) and storm control counts a failure", async () => {
    const dc = fakeDc({ openFails: true })
    dc.driver.step({ type: 'tick' })
    await dc.settle()
    const id = dc.log.events[1]?.keyId as string
    expect(dc.log.dropped).toEqual([id])
    expect(dc.lanes.size).toBe(0)
    expect(dc.log.binds).toEqual([])
    expect(dc.driver.state.storm.failures).toBe(1)
  })
})
