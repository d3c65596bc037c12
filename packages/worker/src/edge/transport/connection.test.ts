import { TransportError } from '@pfs-web/errors'
import { createCtrStream, obfuscationKeys, type CtrStream } from '@pfs-web/crypto'
import { describe, expect, it, vi } from 'vitest'
import type { EngineEnv, SocketLike } from '../../env.ts'
import { Connection } from './connection.ts'

/** The server end of one fake WebSocket, de-obfuscating like gotd's obfuscated2.Accept (transports.md §3). */
class FakeServer {
  readonly socket: SocketLike
  received: Uint8Array[] = []
  init: Uint8Array | null = null
  private dec: CtrStream | null = null
  private enc: CtrStream | null = null

  private state = 0

  constructor() {
    const self = this
    this.socket = {
      binaryType: 'blob',
      get readyState() {
        return self.state
      },
      send(data) {
        self.onClientBytes(data.slice())
      },
      close() {
        self.state = 3
        self.socket.onclose?.({ code: 1000 })
      },
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
    }
  }

  open(): void {
    this.state = 1
    this.socket.onopen?.({})
  }

  private onClientBytes(data: Uint8Array): void {
    if (!this.dec) {
      // Server decrypt = the client's encrypt stream; server encrypt = the client's decrypt stream.
      const k = obfuscationKeys(data)
      this.dec = createCtrStream(k.encKey, k.encIv)
      this.enc = createCtrStream(k.decKey, k.decIv)
      this.dec.process(data, (init) => (this.init = init))
      return
    }
    this.dec.process(data, (plain) => this.received.push(plain))
  }

  async settled(): Promise<void> {
    await eventually(() => this.init !== null)
  }

  /** Sends raw transport bytes, obfuscated, in the given pieces. */
  async push(bytes: Uint8Array, cuts: number[] = []): Promise<void> {
    const enc = this.enc
    if (!enc) throw new Error('no init yet')
    const ct = await new Promise<Uint8Array>((resolve) => enc.process(bytes, resolve))
    let at = 0
    for (const c of [...cuts, ct.length]) {
      this.socket.onmessage?.({ data: ct.slice(at, c).buffer })
      at = c
    }
  }
}

function env(server: FakeServer): EngineEnv {
  return {
    openSocket: () => server.socket,
    permKeys: { get: async () => undefined, set: async () => undefined, delete: async () => undefined },
    clock: { now: () => 0, wallNow: () => 0 },
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
    setTimer: () => () => undefined,
  }
}

/** Lets queued crypto promises and their callbacks run; fails if `cond` never holds. */
async function eventually(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 0))
  expect(cond()).toBe(true)
}

function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length)
  new DataView(out.buffer).setUint32(0, payload.length, true)
  out.set(payload, 4)
  return out
}

async function connected() {
  const server = new FakeServer()
  const conn = new Connection(env(server), 'ws://x/apiws', 10002, 'main')
  const packets: Uint8Array[] = []
  const errors: number[] = []
  const closes: TransportError[] = []
  const opened = conn.open({ onPacket: (p) => packets.push(p), onTransportError: (c) => errors.push(c), onClose: (e) => closes.push(e) })
  server.open()
  await opened
  await server.settled()
  return { server, conn, packets, errors, closes }
}

describe('Connection: obfuscated padded intermediate over a WebSocket (transports.md §3–4)', () => {
  it('§3: the 64-byte init carries the dd tag and the DC id as int16 LE, encrypted after byte 56', async () => {
    const { server } = await connected()
    expect([...(server.init?.subarray(56, 60) ?? [])]).toEqual([0xdd, 0xdd, 0xdd, 0xdd])
    const init = server.init as Uint8Array
    expect(new DataView(init.buffer, init.byteOffset, 64).getInt16(60, true)).toBe(10002)
  })

  it('§1: a sent payload arrives as one padded frame through the continuous CTR stream', async () => {
    const { server, conn } = await connected()
    const payload = new Uint8Array(40).map((_, i) => i)
    conn.send(payload)
    conn.send(payload)
    await eventually(() => server.received.length === 2)
    for (const got of server.received) {
      const total = new DataView(got.buffer, got.byteOffset, got.length).getUint32(0, true)
      expect(total).toBe(got.length - 4)
      expect(got.subarray(4, 44)).toEqual(payload)
    }
  })

  it('§4: split and coalesced server data yield whole packets; -404 is a transport error', async () => {
    const { server, packets, errors } = await connected()
    const p1 = new Uint8Array(40).fill(1)
    const p2 = new Uint8Array(56).fill(2)
    const bytes = new Uint8Array([...frame(p1), ...frame(p2), ...frame(new Uint8Array([0x6c, 0xfe, 0xff, 0xff]))])
    await server.push(bytes, [3, 17, 50])
    await eventually(() => errors.length === 1)
    expect(packets).toEqual([p1, p2])
    expect(errors).toEqual([-404])
  })

  it('frames sent in one turn, more than one keystream refill holds, leave in send() order and decrypt exactly', async () => {
    const { server, conn } = await connected()
    // 40 × 5000 bytes is about three 64 KiB refills: most of these wait for keystream
    const payloads = Array.from({ length: 40 }, (_, i) => new Uint8Array(5000).fill(i))
    for (const p of payloads) conn.send(p)
    await eventually(() => server.received.length === payloads.length)
    expect(server.received.map((got) => got.subarray(4, 5004))).toEqual(payloads)
  })

  it('server packets larger than a keystream refill, split anywhere, arrive whole and in order', async () => {
    const { server, packets } = await connected()
    // sizes of encrypted packets (8 mod 16), so the decoder's padding rule keeps them whole
    const big = [70_008, 140_008, 24].map((n, i) => new Uint8Array(n).fill(i + 1))
    const bytes = new Uint8Array(big.reduce((n, p) => n + 4 + p.length, 0))
    let at = 0
    for (const p of big) {
      bytes.set(frame(p), at)
      at += 4 + p.length
    }
    await server.push(bytes, [1, 65_536, 65_537, 200_000])
    await eventually(() => packets.length === 3)
    expect(packets).toEqual(big)
  })

  it('a keystream refill WebCrypto refuses closes the connection once with CRYPTO_FAILED', async () => {
    const { conn, closes, server } = await connected()
    vi.spyOn(crypto.subtle, 'encrypt').mockRejectedValue(new DOMException('refused', 'OperationError'))
    try {
      // more than the keystream made ahead, so this frame needs a refill
      conn.send(new Uint8Array(200_000))
      await eventually(() => closes.length > 0)
    } finally {
      vi.restoreAllMocks()
    }
    expect(closes.map((e) => e.code)).toEqual(['CRYPTO_FAILED'])
    expect(server.received).toEqual([])
    expect(conn.isOpen).toBe(false)
  })

  it('issue #17: adopt() hands the open connection to new handlers; the streams carry on, so the next packet decrypts and goes to them only', async () => {
    const { server, conn, packets, closes } = await connected()
    const p1 = new Uint8Array(40).fill(1)
    await server.push(frame(p1))
    await eventually(() => packets.length === 1)
    const next = { packets: [] as Uint8Array[], errors: [] as number[], closes: [] as TransportError[] }
    expect(conn.adopt({ onPacket: (p) => next.packets.push(p), onTransportError: (c) => next.errors.push(c), onClose: (e) => next.closes.push(e) })).toBe(true)
    const p2 = new Uint8Array(56).fill(2)
    await server.push(new Uint8Array([...frame(p2), ...frame(new Uint8Array([0x6c, 0xfe, 0xff, 0xff]))]))
    await eventually(() => next.errors.length === 1)
    // a send after the hand-over continues the client's CTR stream too
    conn.send(p2)
    await eventually(() => server.received.length === 1)
    expect(server.received[0]!.subarray(4, 60)).toEqual(p2)
    conn.close()
    expect(packets).toEqual([p1])
    expect(next.packets).toEqual([p2])
    expect(next.errors).toEqual([-404])
    expect(closes).toEqual([])
    expect(next.closes.map((e) => e.code)).toEqual(['CLOSED'])
  })

  it('adopt() on a connection that closed already refuses: its one onClose went to the old handlers', async () => {
    const { server, conn, closes } = await connected()
    server.socket.close(1000)
    const late: TransportError[] = []
    expect(conn.adopt({ onPacket: () => undefined, onTransportError: () => undefined, onClose: (e) => late.push(e) })).toBe(false)
    conn.close()
    expect(closes.map((e) => e.code)).toEqual(['CLOSED'])
    expect(late).toEqual([])
    expect(conn.isOpen).toBe(false)
  })

  it('a corrupt stream closes the connection once with a typed error', async () => {
    const { server, closes, conn } = await connected()
    await server.push(new Uint8Array([0xff, 0xff, 0xff, 0x7f]))
    await eventually(() => closes.length > 0)
    expect(closes.map((e) => e.code)).toEqual(['BAD_FRAME'])
    expect(conn.isOpen).toBe(false)
    expect(() => conn.send(new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'CLOSED' }))
  })
})
