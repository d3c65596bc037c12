/** KeyLanes on a fake lane: which lane carries calls, and a drop that closes and zeroes. */
import { describe, expect, it } from 'vitest'
import { KeyStore, type KeyHandle } from '../../keys/key-store.ts'
import type { Connection, ConnectionPurpose } from '../transport/connection.ts'
import { KeyLanes } from './key-lanes.ts'
import type { Lane } from './lane.ts'

interface FakeLane {
  key: KeyHandle
  purpose: ConnectionPurpose
  conn: Connection
  closed: boolean
  sent: bigint[]
  session: { sentRecently(id: bigint): boolean }
  close(): void
}

function setup() {
  const keys = new KeyStore()
  const made: FakeLane[] = []
  const lanes = new KeyLanes(keys, (key, _salt, purpose, conn) => {
    const lane: FakeLane = {
      key,
      purpose,
      conn,
      closed: false,
      sent: [],
      session: { sentRecently: (id) => lane.sent.includes(id) },
      close: () => void (lane.closed = true),
    }
    made.push(lane)
    return lane as unknown as Lane
  })
  const bytes = (fill: number) => new Uint8Array(256).fill(fill)
  const key = (fill: number, b = bytes(fill)) => ({ handle: keys.add(2, 'temp', b, 0, 100), bytes: b })
  return { keys, lanes, made, key }
}

/** Stands for the connection a key's handshake ran on; only its identity matters here. */
const handshakeConn = (): Connection => ({}) as Connection

describe('KeyLanes', () => {
  it('issue #17: each key\'s lane starts on the connection its handshake ran on; the first is main, one made while another carries calls next-temp', () => {
    const { lanes, made, key } = setup()
    const a = key(1).handle
    const connA = handshakeConn()
    const connB = handshakeConn()
    lanes.add(a, 1n, connA)
    expect(lanes.traffic).toBeNull()
    lanes.switchTo(a.idHex)
    lanes.add(key(2).handle, 2n, connB)
    expect(made.map((l) => l.purpose)).toEqual(['main', 'next-temp'])
    expect(made[0]!.conn).toBe(connA)
    expect(made[1]!.conn).toBe(connB)
    expect(lanes.traffic?.key).toBe(a)
  })

  it('switching to a key without a lane, or to null, holds new calls', () => {
    const { lanes, key } = setup()
    const a = key(1).handle
    lanes.add(a, 1n, handshakeConn())
    lanes.switchTo(a.idHex)
    expect(lanes.switchTo('0000')).toBeNull()
    expect(lanes.traffic).toBeNull()
    lanes.switchTo(a.idHex)
    expect(lanes.switchTo(null)).toBeNull()
    expect(lanes.traffic).toBeNull()
  })

  it('STYLE secrets: dropping the traffic lane closes it, zeroes its key and leaves no traffic lane', () => {
    const { keys, lanes, made, key } = setup()
    const { handle, bytes } = key(7)
    lanes.add(handle, 1n, handshakeConn())
    lanes.switchTo(handle.idHex)
    const dropped = lanes.drop(handle.idHex)
    expect(dropped?.key).toBe(handle)
    expect(made[0]!.closed).toBe(true)
    expect(bytes.every((b) => b === 0)).toBe(true)
    expect(keys.has(handle)).toBe(false)
    expect(lanes.traffic).toBeNull()
    expect(lanes.all.size).toBe(0)
    expect(lanes.drop(handle.idHex)).toBeNull()
  })

  it('dropping another lane leaves traffic where it is', () => {
    const { lanes, key } = setup()
    const a = key(1).handle
    const b = key(2).handle
    lanes.add(a, 1n, handshakeConn())
    lanes.switchTo(a.idHex)
    lanes.add(b, 2n, handshakeConn())
    lanes.drop(b.idHex)
    expect(lanes.traffic?.key).toBe(a)
    expect([...lanes.all.keys()]).toEqual([a.idHex])
  })

  it('a msg_id another lane of the DC sent recently is taken; the lane\'s own is not', () => {
    const { lanes, made, key } = setup()
    const a = lanes.add(key(1).handle, 1n, handshakeConn())
    const b = lanes.add(key(2).handle, 2n, handshakeConn())
    made[0]!.sent.push(42n)
    expect(lanes.msgIdInUse(b, 42n)).toBe(true)
    expect(lanes.msgIdInUse(a, 42n)).toBe(false)
    expect(lanes.msgIdInUse(b, 43n)).toBe(false)
  })
})
