/**
 * Issue #5: malformed server input. The real engine talks to the real conformance server
 * through a man in the middle (test-support/mitm-opener.ts) that de-obfuscates the stream,
 * and — holding the temp key from a recording KeyStore — rewrites or injects frames and
 * well-sealed but malformed messages. Each case must end in a typed error and/or a clean
 * reconnect, settle the pending call within a bound, and leave no unhandled rejection.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '@pfs-web/server'
import { TlReader, decodeObject, serializeObject, type TlObject } from '@pfs-web/tl'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DcStateView, WorkerApi } from './api.ts'
import { createEngine } from './engine.ts'
import { engineOptions } from './test-support/engine-options.ts'
import { frame, mitmOpener, openPacket, sealFromServer, type MitmLink, type OpenedMessage } from './test-support/mitm-opener.ts'
import { memoryPermKeys, nodeEnv, openNodeSocket } from './test-support/node-env.ts'
import { RecordingKeyStore } from './test-support/recording-key-store.ts'

const UNKNOWN = 0x0badf00d
const GET_CONFIG = serializeObject({ _: 'help.getConfig' })
/** How long a call may take to settle in any case here, reconnect backoff included. */
const SETTLE_MS = 4_000
/** The engine's stall watch (policy/session/stall-watch.ts), short enough to act inside SETTLE_MS. */
const STALL_MS = 1_500

let server: RunningServer
let dataDir: string
const perm = memoryPermKeys()
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
let engine: WorkerApi | null = null

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled)
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-engine-malformed-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterEach(async () => {
  await engine?.close()
  engine = null
  // a rejection surfaces a turn or two after its promise settles
  await new Promise((r) => setTimeout(r, 20))
  expect(unhandled).toEqual([])
})
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/**
 * Rewrites one server→engine frame. Gets the frame payload and, when it is a packet under a
 * temp key, the opened message; returns the frames to deliver instead, or undefined to let
 * this one pass and stay armed.
 */
type ServerFault = (payload: Uint8Array, msg: OpenedMessage, link: MitmLink) => Uint8Array[] | undefined
/** Handles one engine→server packet under a temp key; same return convention. */
type ClientFault = (payload: Uint8Array, msg: OpenedMessage, link: MitmLink) => Uint8Array[] | undefined

interface Rig {
  api: WorkerApi
  armServer(fault: ServerFault): void
  /** From now on nothing the server sends on `link` reaches the engine. */
  mute(link: MitmLink): void
  setClient(fault: ClientFault | null): void
  updates: Uint8Array[]
  state(): Promise<DcStateView>
}

async function rig(): Promise<Rig> {
  const keys = new RecordingKeyStore()
  let server1: ServerFault | null = null
  let client: ClientFault | null = null
  const muted = new Set<MitmLink>()
  const open = mitmOpener(openNodeSocket, {
    fromServer(payload, link) {
      if (muted.has(link)) return []
      const fault = server1
      if (!fault) return null
      const msg = openPacket(keys.temps, payload, false)
      if (!msg) return null
      const out = fault(payload, msg, link)
      if (out === undefined) return null
      server1 = null
      return out
    },
    fromClient(payload, link) {
      const msg = client && openPacket(keys.temps, payload, true)
      if (!client || !msg) return null
      return client(payload, msg, link) ?? null
    },
  })
  const api = createEngine(nodeEnv(perm, open), { keys })
  engine = api
  await api.init({ ...engineOptions(server, SETTLE_MS), stallTimeoutMs: STALL_MS })
  const updates: Uint8Array[] = []
  await api.onUpdate((_dc, bytes) => void updates.push(bytes))
  await api.connect()
  return {
    api,
    armServer: (f) => void (server1 = f),
    mute: (link) => void muted.add(link),
    setClient: (f) => void (client = f),
    updates,
    state: async () => (await api.states())[0] as DcStateView,
  }
}

/** The padding-free packet (transports.md §1: encrypted packets are 24 + 16k bytes). */
const trimmed = (p: Uint8Array): Uint8Array => p.subarray(0, p.length - ((p.length - 24) % 16))
const isAnswer = (m: OpenedMessage): boolean => {
  const obj = decodeObject(new TlReader(m.body))
  return obj._ === 'rpc_result' || (obj._ === 'msg_container' && obj.messages.some((x) => x.body._ === 'rpc_result'))
}
/** The message re-numbered so its rpc_result (inside a container or alone) carries `f(msg_id)`. */
function answerWithMsgId(m: OpenedMessage, f: (id: bigint) => bigint): OpenedMessage {
  const obj = decodeObject(new TlReader(m.body))
  if (obj._ !== 'msg_container') return { ...m, msgId: f(m.msgId) }
  const messages = obj.messages.map((x) => (x.body._ === 'rpc_result' ? { ...x, msg_id: f(x.msg_id) } : x))
  return { ...m, body: serializeObject({ ...obj, messages }) }
}
/** A server-side msg_id (≡ 3 mod 4) just below `near`, clear of the server's own. */
const injectedId = (near: bigint): bigint => ((near - (1n << 20n)) & ~3n) | 3n

/** The call's outcome; a hang is caught by the call's own deadline (SETTLE_MS), never by a clock here (issue #11). */
async function settles(api: WorkerApi): Promise<{ ok: true; thisDc: number } | { ok: false; code: unknown }> {
  try {
    const config = await api.getConfig()
    return { ok: true, thisDc: config.thisDc }
  } catch (err) {
    return { ok: false, code: (err as { code?: unknown }).code }
  }
}

describe('malformed server input (issue #5)', () => {
  it.each([
    {
      rule: 'encryption.md §4.4: a flipped msg_key byte → MSG_KEY_MISMATCH, reconnect, call answered',
      fault: ((p) => {
        const bad = trimmed(p).slice()
        bad[12] = (bad[12] ?? 0) ^ 0x01
        return [frame(bad)]
      }) satisfies ServerFault,
      error: { name: 'PacketError', code: 'MSG_KEY_MISMATCH' },
    },
    {
      rule: 'encryption.md §4.5: message_data_length past the end of the packet → BAD_LENGTH',
      fault: ((_p, m) => [frame(sealFromServer({ ...m, lengthField: m.body.length + 64 }))]) satisfies ServerFault,
      error: { name: 'PacketError', code: 'BAD_LENGTH' },
    },
    {
      rule: 'encryption.md §4.5: message_data_length not a multiple of 4 → BAD_LENGTH',
      fault: ((_p, m) => [frame(sealFromServer({ ...m, lengthField: m.body.length - 1 }))]) satisfies ServerFault,
      error: { name: 'PacketError', code: 'BAD_LENGTH' },
    },
    {
      rule: 'transports.md §1: a frame length past the packet swallows the next frame → MSG_KEY_MISMATCH',
      fault: ((p) => {
        const packet = trimmed(p)
        return [frame(packet, packet.length + 20), frame(new Uint8Array(16))]
      }) satisfies ServerFault,
      error: { name: 'PacketError', code: 'MSG_KEY_MISMATCH' },
    },
    {
      rule: 'transports.md §1: a 16 MiB frame length → BAD_FRAME at once, not a stalled wait for bytes that never come',
      fault: ((p) => [frame(trimmed(p), 16 * 1024 * 1024)]) satisfies ServerFault,
      error: { name: 'TransportError', code: 'BAD_FRAME' },
    },
    {
      rule: 'transports.md §1: the connection closes mid-frame → CLOSED, reconnect, call answered',
      fault: ((p, _m, link) => {
        const f = frame(trimmed(p))
        link.toClient(f.subarray(0, f.length >> 1))
        link.close()
        return []
      }) satisfies ServerFault,
      error: { name: 'TransportError', code: 'CLOSED' },
    },
    {
      rule: 'issue #18: an authentic answer to our request whose msg_id has bit 63 flipped (time part ≤ 0) → BAD_MSG_TIME, the clock is not moved',
      fault: ((_p, m) => (isAnswer(m) ? [frame(sealFromServer(answerWithMsgId(m, (id) => BigInt.asIntN(64, id ^ (1n << 63n)))))] : undefined)) satisfies ServerFault,
      error: { name: 'PacketError', code: 'BAD_MSG_TIME' },
    },
    {
      rule: 'issue #18: an authentic answer with msg_id −2^40−1 → BAD_MSG_TIME, the clock is not moved',
      fault: ((_p, m) => (isAnswer(m) ? [frame(sealFromServer(answerWithMsgId(m, () => -(2n ** 40n) - 1n)))] : undefined)) satisfies ServerFault,
      error: { name: 'PacketError', code: 'BAD_MSG_TIME' },
    },
    {
      rule: 'issue #18: an authentic answer whose msg_id says 4 days later → BAD_MSG_TIME (more than a few days from the last sync)',
      fault: ((_p, m) => (isAnswer(m) ? [frame(sealFromServer(answerWithMsgId(m, (id) => id + ((4n * 86_400n) << 32n))))] : undefined)) satisfies ServerFault,
      error: { name: 'PacketError', code: 'BAD_MSG_TIME' },
    },
    {
      rule: 'mtproto-tl.md: an unknown id in a typed service field (msgs_ack vector) → UNKNOWN_CONSTRUCTOR',
      fault: ((_p, m) => {
        const body = serializeObject({ _: 'msgs_ack', msg_ids: [1n] })
        new DataView(body.buffer).setUint32(4, UNKNOWN, true) // the Vector id
        return [frame(sealFromServer({ ...m, msgId: injectedId(m.msgId), seqno: 0, body }))]
      }) satisfies ServerFault,
      error: { name: 'PacketError', code: 'UNKNOWN_CONSTRUCTOR' },
    },
  ])('$rule', async ({ fault, error }) => {
    const r = await rig()
    const offsetBefore = (await r.state()).serverTimeOffset
    r.armServer(fault)
    const result = await settles(r.api)
    expect(result).toEqual({ ok: true, thisDc: 2 })
    const s = await r.state()
    expect(s.lastError).toMatchObject(error)
    expect(s).toMatchObject({ status: 'ready', bound: true })
    expect(Math.abs(s.serverTimeOffset - offsetBefore)).toBeLessThan(60)
    expect((await r.api.getConfig()).thisDc).toBe(2)
  })

  it('a frame whose promised bytes never come, on a link that then goes silent → STALLED after the stall time, reconnect, call answered', async () => {
    const r = await rig()
    r.armServer((p, _m, link) => {
      r.mute(link)
      const f = frame(trimmed(p), trimmed(p).length + 1_000)
      return [f.subarray(0, f.length - 8)]
    })
    const t0 = performance.now()
    const result = await settles(r.api)
    const took = performance.now() - t0
    // answered, not TIMEOUT: the stall watch reopened the link before the call's deadline
    expect(result).toEqual({ ok: true, thisDc: 2 })
    // and not before the watch could know
    expect(took).toBeGreaterThanOrEqual(STALL_MS)
    const s = await r.state()
    expect(s.lastError).toMatchObject({ name: 'TransportError', code: 'STALLED' })
    expect(s).toMatchObject({ status: 'ready', bound: true })
  })

  it('an answer slower than the stall time on a link that answers pings → no reconnect, the call waits for it', async () => {
    const r = await rig()
    const held = STALL_MS + 700
    r.armServer((p, m, link) => {
      if (!isAnswer(m)) return undefined
      setTimeout(() => link.toClient(frame(trimmed(p))), held)
      return []
    })
    const t0 = performance.now()
    const result = await settles(r.api)
    expect(result).toEqual({ ok: true, thisDc: 2 })
    expect(performance.now() - t0).toBeGreaterThanOrEqual(held)
    const s = await r.state()
    expect(s.lastError).toBeNull()
    expect(s).toMatchObject({ status: 'ready', bound: true })
  })

  it('transports.md §1: a frame total that is not a multiple of 4 is legal padding → answered, no error', async () => {
    const r = await rig()
    r.armServer((p) => [frame(new Uint8Array([...trimmed(p), 1, 2, 3]))])
    expect(await settles(r.api)).toEqual({ ok: true, thisDc: 2 })
    expect((await r.state()).lastError).toBeNull()
  })

  it('mtproto-tl.md: an unknown id in rpc_result.result is a valid raw answer, delivered as is', async () => {
    const r = await rig()
    const answer = new Uint8Array(new Uint32Array([UNKNOWN, 7, 8]).buffer)
    r.armServer((_p, m) => {
      if (!isAnswer(m)) return undefined
      const swap = (o: TlObject): TlObject => (o._ === 'rpc_result' ? { ...o, result: { _: 'raw', id: UNKNOWN, bytes: answer } } : o)
      const obj = decodeObject(new TlReader(m.body))
      const body =
        obj._ === 'msg_container'
          ? serializeObject({ ...obj, messages: obj.messages.map((x) => { const b = serializeObject(swap(x.body)); return { ...x, bytes: b.length, body: swap(x.body) } }) })
          : serializeObject(swap(obj))
      return [frame(sealFromServer({ ...m, body }))]
    })
    const got = await r.api.invoke(GET_CONFIG, { timeoutMs: SETTLE_MS })
    expect([...got]).toEqual([...answer])
    expect((await r.state()).lastError).toBeNull()
  })

  it('mtproto-tl.md: a top-level message with an unknown id is an Object, not a crash → onUpdate, call answered', async () => {
    const r = await rig()
    const update = new Uint8Array(new Uint32Array([UNKNOWN, 0x11223344]).buffer)
    r.armServer((p, m) => [frame(sealFromServer({ ...m, msgId: injectedId(m.msgId), seqno: 1, body: update })), frame(p)])
    expect(await settles(r.api)).toEqual({ ok: true, thisDc: 2 })
    expect(r.updates.map((u) => [...u])).toContainEqual([...update])
    expect((await r.state()).lastError).toBeNull()
  })

  it('mtproto-tl.md §4: containers cannot be nested → the inner container is dropped unread; the rest of the packet is used', async () => {
    const r = await rig()
    const update = new Uint8Array(new Uint32Array([UNKNOWN, 0x5eed]).buffer)
    r.armServer((_p, m) => {
      if (!isAnswer(m)) return undefined
      const obj = decodeObject(new TlReader(m.body))
      const own = obj._ === 'msg_container' ? obj.messages : [{ msg_id: m.msgId, seqno: m.seqno, bytes: m.body.length, body: obj }]
      const raw: TlObject = { _: 'raw', id: UNKNOWN, bytes: update }
      const nested: TlObject = { _: 'msg_container', messages: [{ msg_id: injectedId(m.msgId) - 4n, seqno: 1, bytes: update.length, body: raw }] }
      const nestedBytes = serializeObject(nested).length
      const body = serializeObject({ _: 'msg_container', messages: [{ msg_id: injectedId(m.msgId), seqno: 0, bytes: nestedBytes, body: nested }, ...own] })
      return [frame(sealFromServer({ ...m, msgId: m.msgId + 4n, body }))]
    })
    expect(await settles(r.api)).toEqual({ ok: true, thisDc: 2 })
    expect(r.updates).toEqual([])
    expect((await r.state()).lastError).toBeNull()
  })

  it.each([
    { rule: 'encryption.md §6 code 48: five bad_server_salt in a row, each with a fresh salt → recovered, answered', storm: 5 },
    { rule: 'encryption.md §6 code 48: an endless bad_server_salt storm → bounded resends, a typed error, no hang', storm: Infinity },
  ])('$rule', async ({ storm }) => {
    const r = await rig()
    let answered = 0
    let salt = 0x5a17n
    r.setClient((_p, m, link) => {
      if (answered >= storm) return undefined
      answered++
      const body = serializeObject({ _: 'bad_server_salt', bad_msg_id: m.msgId, bad_msg_seqno: m.seqno, error_code: 48, new_server_salt: salt++ })
      link.toClient(frame(sealFromServer({ ...m, msgId: m.msgId + 1n, seqno: 0, body })))
      return []
    })
    const t0 = performance.now()
    const result = await settles(r.api)
    const elapsed = performance.now() - t0
    r.setClient(null)
    console.info(`salt storm ${storm}: ${answered} bad_server_salt answers, ${elapsed.toFixed(0)} ms, ${JSON.stringify(result)}`)
    if (storm === Infinity) {
      expect(result).toEqual({ ok: false, code: expect.stringMatching(/TIMEOUT|BAD_MSG_48/) })
      expect(answered).toBeLessThan(50)
      expect((await r.state()).lastError).toMatchObject({ name: 'PacketError', code: 'SALT_STORM' })
    } else {
      expect(result).toEqual({ ok: true, thisDc: 2 })
      expect(answered).toBe(5)
      expect((await r.state()).lastError).toBeNull()
    }
    expect((await r.api.getConfig()).thisDc).toBe(2)
  })
})

describe('receive order (issue #17)', () => {
  // a small packet is opened and handled as it arrives, a large one (≥ 2 KiB: its msg_key
  // hash goes through WebCrypto) a turn later; packets must still be handled in arrival order
  /** An engine whose server answers (rpc_result packets) the MITM holds while `hold.on` is set. */
  async function holdingRig() {
    const keys = new RecordingKeyStore()
    const hold = { on: false, held: [] as { payload: Uint8Array; link: MitmLink }[] }
    const open = mitmOpener(openNodeSocket, {
      fromServer(payload, link) {
        const msg = hold.on ? openPacket(keys.temps, payload, false) : null
        if (!msg) return null
        const obj = decodeObject(new TlReader(msg.body))
        const answer = obj._ === 'rpc_result' || (obj._ === 'msg_container' && obj.messages.some((m) => m.body._ === 'rpc_result'))
        if (!answer) return null
        hold.held.push({ payload, link })
        return []
      },
    })
    const api = createEngine(nodeEnv(memoryPermKeys(), open), { keys })
    engine = api
    await api.init(engineOptions(server, 10_000))
    await api.connect()
    return { api, hold }
  }
  const FILE_PART = new Uint8Array(16 * 1024).map((_, i) => i & 255)
  const getFile = (api: WorkerApi, id: bigint): Promise<Uint8Array> => {
    const location = { _: 'inputDocumentFileLocation', id, access_hash: 0n, file_reference: new Uint8Array(0), thumb_size: '' } as const
    return api.invoke(serializeObject({ _: 'upload.getFile', location, offset: 0n, limit: FILE_PART.length }), { pool: 'main' })
  }
  /** Frames delivered to the engine in one read. */
  const oneRead = (frames: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0))
    frames.reduce((at, f) => (out.set(f, at), at + f.length), 0)
    return out
  }

  it('a large answer and two small ones delivered in one read, large first, settle their calls in that order', async () => {
    const { api, hold } = await holdingRig()
    expect(await api.saveFilePart(91n, 0, FILE_PART, undefined, 'main')).toBe(true)
    hold.on = true
    const order: string[] = []
    const settled = (p: Promise<unknown>, name: string): void => void p.then(() => order.push(name), () => order.push(`${name} failed`))
    const file = getFile(api, 91n)
    settled(file, 'file')
    await expect.poll(() => hold.held.length, { timeout: 5_000 }).toBe(1)
    // one at a time, so each answer is a packet of its own (calls in one turn share a container)
    const near = []
    for (let i = 0; i < 2; i++) {
      near.push(api.getNearestDc())
      settled(near[i] as Promise<unknown>, 'nearest')
      await expect.poll(() => hold.held.length, { timeout: 5_000 }).toBe(2 + i)
    }
    hold.on = false
    const { held } = hold
    // the large packet takes the WebCrypto path; the small ones behind it must wait for it
    expect((held[0]?.payload.length ?? 0) > 2048).toBe(true)
    expect(held.slice(1).every((h) => h.payload.length < 2048)).toBe(true)
    held[0]?.link.toClient(oneRead(held.map((h) => frame(h.payload))))

    const bytes = await file
    expect(bytes.length).toBeGreaterThan(FILE_PART.length)
    expect((await Promise.all(near)).map((n) => n.thisDc)).toEqual([2, 2])
    expect(order).toEqual(['file', 'nearest', 'nearest'])
  })

  it('a bad large answer and a -429 in the same read: the connection goes before the packet\'s turn, and its failure is no unhandled rejection', async () => {
    const { api, hold } = await holdingRig()
    expect(await api.saveFilePart(92n, 0, FILE_PART, undefined, 'main')).toBe(true)
    hold.on = true
    const file = getFile(api, 92n)
    file.catch(() => undefined)
    await expect.poll(() => hold.held.length, { timeout: 5_000 }).toBe(1)
    hold.on = false
    const [big] = hold.held
    if (!big) throw new Error('no answer held')
    const bad = trimmed(big.payload).slice()
    bad[12] = (bad[12] ?? 0) ^ 0x01
    const tooMany = new Uint8Array(4)
    new DataView(tooMany.buffer).setInt32(0, -429, true)
    big.link.toClient(oneRead([frame(bad), frame(tooMany)]))
    // the call is resent on the next connection and answered; afterEach checks that no
    // rejection went unhandled
    expect((await file).length).toBeGreaterThan(FILE_PART.length)
  })
})
