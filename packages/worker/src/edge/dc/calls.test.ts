import { InflateBudget, gzipPack, serializeObject, type TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { CallDriver, type CallHost } from './calls.ts'
import type { BindPhase } from '../../policy/pfs/gate.ts'
import { stepInit, wrapsNext, type InitEvent, type InitState } from '../../policy/session/init-connection.ts'
import type { Lane, Outgoing, Sent } from './lane.ts'
import type { KeyEvent } from '../../api.ts'
import { FloodWaitError } from '@pfs-web/errors'

const GET_CONFIG = serializeObject({ _: 'help.getConfig' })
const SAVE_PART = serializeObject({ _: 'upload.saveFilePart', file_id: 1n, file_part: 0, bytes: new Uint8Array(4) })
const WRAPPED = new Uint8Array([0xff, 0xff, 0xff, 0xff])

/** A lane stand-in recording what was sent; msg_ids count up by 4 like real ones. */
function fakeLane() {
  const sent: { body: Uint8Array; msgId: bigint }[] = []
  /** How many calls each lane.send carried: one send is one packet. */
  const packets: number[] = []
  let next = 4n
  const lane = {
    init: 'needed' as InitState,
    get needsInit(): boolean {
      return wrapsNext(lane.init)
    },
    initEvent(e: InitEvent): void {
      lane.init = stepInit(lane.init, e)
    },
    isUp: true,
    key: { idHex: 'k1' },
    /** In-flight count on this lane as each stall-watch event arrived. */
    stallEvents: [] as { type: string; inFlight: number }[],
    inFlight: (): number => 0,
    stallEvent(e: { type: string }): void {
      lane.stallEvents.push({ type: e.type, inFlight: lane.inFlight() })
    },
    /** Runs as the packet leaves, after its msg_ids were reported: a peer answering at once. */
    onWire: (): void => undefined,
    async send(items: Outgoing[], onNumbered?: (sent: Sent[]) => void): Promise<Sent[]> {
      packets.push(items.length)
      const numbered = items.map((it) => {
        const msgId = (next += 4n)
        sent.push({ body: it.body as Uint8Array, msgId })
        return { msgId, containerId: null, sessionId: 7n }
      })
      onNumbered?.(numbered)
      lane.onWire()
      return numbered
    },
  }
  return { lane: lane as unknown as Lane, state: lane, sent, packets }
}

function harness(phase: BindPhase = 'bound', inflateBudget = new InflateBudget(), floodWaitMaxS = 60) {
  const { lane, state, sent, packets } = fakeLane()
  const timers: { at: number; fn: () => void }[] = []
  const notBound: Lane[] = []
  const events: KeyEvent[] = []
  let now = 1000
  const host: CallHost = {
    now: () => now,
    setTimer: (ms, fn) => {
      // 0 ms is the env's one macrotask (the flush of issue #17): a real one, in Node and browsers
      if (ms <= 0) {
        const t = setTimeout(fn, 0)
        return () => clearTimeout(t)
      }
      const t = { at: now + ms, fn }
      timers.push(t)
      return () => void timers.splice(timers.indexOf(t), 1)
    },
    trafficLane: () => lane,
    bindPhase: () => phase,
    wrapInit: () => WRAPPED,
    onNotBound: (l) => void notBound.push(l),
    onDrained: () => undefined,
    inflateBudget,
    options: { floodWaitMaxS },
    hooks: { keyEvent: (e) => void events.push(e) },
    event: (kind, key, detail) => ({ dcId: 2, kind, keyId: key?.idHex ?? null, keyKind: 'temp', at: now, ...(detail !== undefined && { detail }) }),
  }
  const calls = new CallDriver(host)
  state.inFlight = () => calls.inFlightOn('k1')
  const advance = (ms: number): void => {
    now += ms
    for (const t of [...timers].filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(t), 1)
      t.fn()
    }
  }
  const setPhase = (p: BindPhase): void => {
    phase = p
  }
  return { calls, lane, state, sent, packets, notBound, advance, setPhase, events }
}

/** Lets the flush's macrotask (a 0 ms timer armed before this one, so run first) and what it started run. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

describe('CallDriver', () => {
  it('a sent call arms the lane\'s stall watch only once it is registered as in flight', async () => {
    const h = harness()
    void h.calls.invoke(GET_CONFIG, 'help.getConfig', 5000)
    await settle()
    expect(h.state.stallEvents).toEqual([{ type: 'sent-request', inFlight: 1 }])
  })

  it('issue #17: calls issued in one turn leave in one packet after one macrotask, in the order issued', async () => {
    const h = harness()
    h.state.init = 'done'
    const bodies = Array.from({ length: 32 }, (_, i) => serializeObject({ _: 'help.getConfig' }).map((b, j) => (j === 0 ? b : b + i)))
    for (const [i, b] of bodies.entries()) void h.calls.invoke(b, `m${i}`, 5000)
    expect(h.packets).toEqual([])
    await settle()
    expect(h.packets).toEqual([32])
    expect(h.sent.map((s) => s.body)).toEqual(bodies)
    void h.calls.invoke(GET_CONFIG, 'help.getConfig', 5000)
    await settle()
    expect(h.packets).toEqual([32, 1])
  })

  it('issue #17: an answer that comes while its packet is still being sent reaches the call', async () => {
    const h = harness()
    const answer = serializeObject({ _: 'nearestDc', country: 'X', this_dc: 2, nearest_dc: 2 })
    let answered: Promise<boolean> | null = null
    h.state.onWire = () => {
      answered = h.calls.onResult(h.lane, h.sent[0]!.msgId, { _: 'raw', id: 0x8e1a1775, bytes: answer })
    }
    const p = h.calls.invoke(GET_CONFIG, 'help.getConfig', 5000)
    await settle()
    expect(await answered).toBe(true)
    expect(await p).toBe(answer)
  })

  it('pfs §1.5: the first call after a bind carries initConnection, later ones do not', async () => {
    const h = harness()
    const first = h.calls.invoke(GET_CONFIG, 'help.getConfig', 5000)
    await settle()
    expect(h.sent[0]?.body).toBe(WRAPPED)
    // an API result reaches the driver as the client codecs leave it: raw bytes, handed on as they are
    const bytes = serializeObject({ _: 'nearestDc', country: 'X', this_dc: 2, nearest_dc: 2 })
    await h.calls.onResult(h.lane, h.sent[0]!.msgId, { _: 'raw', id: 0x8e1a1775, bytes })
    expect(await first).toBe(bytes)
    expect(h.state.needsInit).toBe(false)
    void h.calls.invoke(GET_CONFIG, 'help.getConfig', 5000)
    await settle()
    expect(h.sent[1]?.body).toEqual(GET_CONFIG)
  })

  it('mtproto-tl §1: a gzip_packed result is unpacked before delivery', async () => {
    const h = harness()
    const p = h.calls.invoke(GET_CONFIG, 'help.getConfig', 5000)
    await settle()
    const inner = serializeObject({ _: 'nearestDc', country: 'ZZ', this_dc: 2, nearest_dc: 3 })
    await h.calls.onResult(h.lane, h.sent[0]!.msgId, { _: 'gzip_packed', packed_data: await gzipPack(inner) })
    expect(await p).toEqual(inner)
  })

  it('issue #18: 32 gzip bombs answering 32 calls at once inflate within the engine budget; each call fails typed, the budget comes back', async () => {
    const budget = new InflateBudget(4 << 20)
    const h = harness('bound', budget)
    const pending = Array.from({ length: 32 }, () => h.calls.invoke(GET_CONFIG, 'help.getConfig', 60_000).then(() => 'delivered', (e: { code?: unknown }) => e.code))
    await settle()
    const bomb = await gzipPack(new Uint8Array(8 << 20))
    await Promise.all(h.sent.map((s) => h.calls.onResult(h.lane, s.msgId, { _: 'gzip_packed', packed_data: bomb })))
    for (const code of await Promise.all(pending)) expect(['GZIP_TOO_LARGE', 'GZIP_BUDGET']).toContain(code)
    expect(budget.peak).toBeLessThanOrEqual(4 << 20)
    expect(budget.inUse).toBe(0)
  })

  it('pfs §4: rpc_error is delivered as RpcError with its code', async () => {
    const h = harness()
    const p = h.calls.invoke(GET_CONFIG, 'help.getConfig', 5000)
    await settle()
    await h.calls.onResult(h.lane, h.sent[0]!.msgId, { _: 'rpc_error', error_code: 400, error_message: 'FILE_PARTS_INVALID' })
    await expect(p).rejects.toMatchObject({ name: 'RpcError', code: 400, message: 'FILE_PARTS_INVALID' })
  })

  it('pfs §3: AUTH_KEY_PERM_EMPTY reports the lane as not bound and resends the call', async () => {
    const h = harness()
    void h.calls.invoke(SAVE_PART, 'upload.saveFilePart', 5000)
    await settle()
    await h.calls.onResult(h.lane, h.sent[0]!.msgId, { _: 'rpc_error', error_code: 401, error_message: 'AUTH_KEY_PERM_EMPTY' })
    await settle()
    expect(h.notBound).toEqual([h.lane])
    expect(h.sent).toHaveLength(2)
    expect(h.sent[1]?.msgId).not.toBe(h.sent[0]?.msgId)
  })

  it('pfs §1.3: held while unbound, refused NOT_BOUND unsent after a reported bind failure', async () => {
    const h = harness('unbound')
    const save = h.calls.invoke(SAVE_PART, 'upload.saveFilePart', 5000)
    const config = h.calls.invoke(GET_CONFIG, 'help.getConfig', 5000)
    await settle()
    expect(h.sent).toHaveLength(0)
    h.setPhase('failed')
    h.calls.flush()
    await expect(save).rejects.toMatchObject({ code: 'NOT_BOUND' })
    expect(h.sent).toHaveLength(0)
    h.setPhase('bound')
    h.calls.flush()
    await settle()
    expect(h.sent).toHaveLength(1)
    await h.calls.onResult(h.lane, h.sent[0]!.msgId, { _: 'boolTrue' })
    await expect(config).resolves.toBeInstanceOf(Uint8Array)
  })

  it.each([
    { rule: 'enc §6: bad_msg 16 (clock behind) requeues the call', code: 16 },
    { rule: 'enc §6: bad_msg 17 (clock ahead) requeues the call', code: 17 },
    { rule: 'enc §6: bad_server_salt (48) requeues the call', code: 48 },
  ])('issue #18 — $rule and it is resent at once, even when a flush found nothing to send just before', async ({ code }) => {
    const h = harness()
    void h.calls.invoke(GET_CONFIG, 'help.getConfig', 60_000)
    await settle()
    expect(h.sent).toHaveLength(1)
    // dispatch's order for a bad_msg 16/17: the clock resync flushes first (nothing is queued
    // yet), then the notice requeues the call, whose flush lands before the first one let go
    h.calls.flush()
    h.calls.step({ type: 'bad-msg', badMsgId: h.sent[0]!.msgId, code })
    h.calls.flush()
    await settle()
    // no deadline or retry timer has fired: only the requeue's flush can have sent it
    expect(h.sent).toHaveLength(2)
    expect(h.sent[1]?.msgId).not.toBe(h.sent[0]?.msgId)
  })

  it('never hangs: the deadline fails an unanswered call with TIMEOUT, cancel with CANCELLED', async () => {
    const h = harness()
    const slow = h.calls.invoke(GET_CONFIG, 'help.getConfig', 3000)
    const cancelled = h.calls.invoke(GET_CONFIG, 'help.getConfig', 60_000, 'c9')
    await settle()
    h.calls.cancel('c9')
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' })
    h.advance(2999)
    h.advance(1)
    await expect(slow).rejects.toMatchObject({ code: 'TIMEOUT' })
    // a late answer to the timed-out call is dropped, not delivered twice
    expect(await h.calls.onResult(h.lane, h.sent[0]!.msgId, { _: 'boolTrue' })).toBe(false)
  })

  it('api/errors 420: FLOOD_WAIT_7 resends the call after the server’s 7 s on the driver’s clock, reported once', async () => {
    const h = harness()
    const p = h.calls.invoke(GET_CONFIG, 'help.getConfig', 30_000)
    await settle()
    await h.calls.onResult(h.lane, h.sent[0]!.msgId, { _: 'rpc_error', error_code: 420, error_message: 'FLOOD_WAIT_7' })
    h.advance(6_999)
    await settle()
    expect(h.sent).toHaveLength(1)
    h.advance(1)
    await settle()
    expect(h.sent).toHaveLength(2)
    await h.calls.onResult(h.lane, h.sent[1]!.msgId, { _: 'boolTrue' })
    await expect(p).resolves.toBeInstanceOf(Uint8Array)
    expect(h.events).toMatchObject([{ kind: 'flood-wait', keyId: 'k1', seconds: 7, detail: 'help.getConfig' }])
  })

  it.each([
    { rule: 'X above floodWaitMaxS', message: 'FLOOD_WAIT_11', maxS: 10, timeoutMs: 60_000, seconds: 11, why: 'above-cap' },
    { rule: 'FLOOD_PREMIUM_WAIT_X past the call’s deadline', message: 'FLOOD_PREMIUM_WAIT_9', maxS: 60, timeoutMs: 5_000, seconds: 9, why: 'past-deadline' },
  ])('api/errors 420: $rule → FloodWaitError { code: 420, seconds } at once, nothing resent', async ({ message, maxS, timeoutMs, seconds, why }) => {
    const h = harness('bound', new InflateBudget(), maxS)
    const p = h.calls.invoke(GET_CONFIG, 'help.getConfig', timeoutMs)
    await settle()
    await h.calls.onResult(h.lane, h.sent[0]!.msgId, { _: 'rpc_error', error_code: 420, error_message: message })
    const error: unknown = await p.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FloodWaitError)
    expect(error).toMatchObject({ code: 420, seconds, message })
    expect(h.sent).toHaveLength(1)
    expect(h.events).toMatchObject([{ kind: 'flood-wait', seconds, detail: `help.getConfig: ${why}` }])
  })
})
