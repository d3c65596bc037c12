/**
 * A lane on fake ports (issue #17, one socket per temp key): it starts on the connection its
 * key's handshake ran on and opens a socket of its own only after that one is gone. The
 * sockets are fakes that count opens, frames and closes; no server.
 */
import { serializeObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import type { EngineEnv, SocketLike } from '../../env.ts'
import { KeyStore } from '../../keys/key-store.ts'
import { stallConfig } from '../../policy/session/stall-watch.ts'
import { Connection } from '../transport/connection.ts'
import { Lane, type LaneOwner } from './lane.ts'

interface FakeSocket extends SocketLike {
  frames: number
  closed: boolean
  /** The far end hangs up. */
  drop(): void
}

function fakePorts() {
  const sockets: FakeSocket[] = []
  const env: EngineEnv = {
    openSocket: () => {
      const s: FakeSocket = {
        binaryType: 'arraybuffer',
        readyState: 0,
        frames: 0,
        closed: false,
        // the first send is the 64-byte obfuscation init, every later one a frame
        send: () => void s.frames++,
        close: () => {
          s.closed = true
          ;(s as { readyState: number }).readyState = 3
        },
        drop: () => {
          ;(s as { readyState: number }).readyState = 3
          s.onclose?.({ code: 1006 })
        },
        onopen: null,
        onmessage: null,
        onclose: null,
        onerror: null,
      }
      sockets.push(s)
      setTimeout(() => {
        ;(s as { readyState: number }).readyState = 1
        s.onopen?.({})
      }, 0)
      return s
    },
    permKeys: { get: async () => undefined, set: async () => undefined, delete: async () => undefined },
    clock: { now: () => 0, wallNow: () => 1_700_000_000_000 },
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
    setTimer: () => () => undefined,
  }
  const downs: Error[] = []
  const owner: LaneOwner = {
    serverNowS: () => 1_700_000_000,
    onMessage: () => undefined,
    onDown: (_lane, err) => void downs.push(err),
    onTransportError: () => undefined,
    onSaltRefresh: () => undefined,
    scheduleAckFlush: () => undefined,
    stallConfig: stallConfig(15_000),
    scheduleStallCheck: () => undefined,
    owesAnswers: () => false,
    msgIdInUse: () => false,
  }
  const keys = new KeyStore()
  const key = keys.add(2, 'temp', crypto.getRandomValues(new Uint8Array(256)), 1_700_000_000, 1_700_086_400)
  /** The connection a handshake ran on: opened, init sent, then handed to the lane. */
  const handshakeConn = async (): Promise<Connection> => {
    const conn = new Connection(env, 'ws://x/apiws', 2, 'temp-handshake')
    await conn.open({ onPacket: () => undefined, onTransportError: () => undefined, onClose: () => undefined })
    return conn
  }
  const lane = (conn: Connection) => new Lane(env, keys, key, 'ws://x/apiws', 2, 'main', owner, 1n, conn)
  const ping = () => [{ kind: 'ping' as const, body: serializeObject({ _: 'ping', ping_id: 1n }) }]
  return { sockets, downs, handshakeConn, lane, ping }
}

describe('Lane: one socket per temp key (issue #17)', () => {
  it("starts on its handshake's connection: up at once, its first packet goes out there, no socket opened", async () => {
    const p = fakePorts()
    const l = p.lane(await p.handshakeConn())
    expect(l.isUp).toBe(true)
    await l.open()
    await l.send(p.ping())
    expect(p.sockets).toHaveLength(1)
    expect(p.sockets[0]!.frames).toBe(2)
  })

  it("the handshake's connection drops: the owner hears of it once, and only then does open() make a new socket, where the lane sends", async () => {
    const p = fakePorts()
    const l = p.lane(await p.handshakeConn())
    p.sockets[0]!.drop()
    expect(p.downs.map((e) => (e as { code?: unknown }).code)).toEqual(['CLOSED'])
    expect(l.isUp).toBe(false)
    await l.open()
    await l.send(p.ping())
    expect(p.sockets).toHaveLength(2)
    expect(p.sockets[1]!.frames).toBe(2)
  })

  it('a connection that closed before the lane took it: the lane is down and open() makes a new socket', async () => {
    const p = fakePorts()
    const conn = await p.handshakeConn()
    p.sockets[0]!.drop()
    const l = p.lane(conn)
    expect(l.isUp).toBe(false)
    // the old handlers heard the close, not the lane
    expect(p.downs).toEqual([])
    await l.open()
    expect(p.sockets).toHaveLength(2)
    expect(l.isUp).toBe(true)
  })

  it("close(): the lane's key is dropped and the handshake's socket closes with it", async () => {
    const p = fakePorts()
    const l = p.lane(await p.handshakeConn())
    l.close()
    expect(p.sockets.map((s) => s.closed)).toEqual([true])
    await expect(l.open()).rejects.toMatchObject({ code: 'CLOSED' })
    expect(p.sockets).toHaveLength(1)
  })
})
