/** MtSession with real crypto and no socket: numbering, and sealing to and opening from a peer. */
import { nodeMtproto } from '@pfs-web/server'
import { prepareAuthKey } from '@pfs-web/crypto'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../../keys/key-store.ts'
import { MtSession } from './mt-session.ts'

const NOW = 1_700_000_000
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))

describe('MtSession numbering', () => {
  it('encryption.md §5: msg_ids are ≡ 0 mod 4, strictly grow, and follow the server time', () => {
    const s = new MtSession(random)
    const ids = [0, 1, 2].map(() => s.number('rpc-query', new Uint8Array(0), NOW).msgId)
    for (const id of ids) expect(id % 4n).toBe(0n)
    expect(ids[1]! > ids[0]! && ids[2]! > ids[1]!).toBe(true)
    expect(Number(ids[0]! >> 32n)).toBe(NOW)
    expect(s.lastMsgId).toBe(ids[2])
  })

  it('seq_no: content messages take odd numbers that grow by 2, service ones even', () => {
    const s = new MtSession(random)
    const a = s.number('rpc-query', new Uint8Array(0), NOW)
    const ack = s.number('msgs-ack', new Uint8Array(0), NOW)
    const b = s.number('rpc-query', new Uint8Array(0), NOW)
    expect([a.seqno, ack.seqno, b.seqno]).toEqual([1, 2, 3])
  })

  it('a msg_id another session of the DC holds is skipped', () => {
    const s = new MtSession(random)
    const probe = new MtSession(random).number('rpc-query', new Uint8Array(0), NOW).msgId
    const got = s.number('rpc-query', new Uint8Array(0), NOW, (id) => id === probe).msgId
    expect(got).not.toBe(probe)
  })

  it('remembers at least its last 2,048 msg_ids and at most 4,096, and no id it did not number', () => {
    const s = new MtSession(random)
    const ids = Array.from({ length: 10_000 }, () => s.number('rpc-query', new Uint8Array(0), NOW).msgId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const n of [1, 2_047, 2_048, 2_049, 4_095, 4_096, 4_097, 10_000]) {
      const t = new MtSession(random)
      const own = Array.from({ length: n }, () => t.number('rpc-query', new Uint8Array(0), NOW).msgId)
      const remembered = own.filter((id) => t.sentRecently(id)).length
      // the newest 2,048 are always there; never more than 4,096 in all
      expect(own.slice(-2_048).every((id) => t.sentRecently(id))).toBe(true)
      expect(remembered).toBeLessThanOrEqual(4_096)
      expect(remembered).toBeGreaterThanOrEqual(Math.min(n, 2_048))
      if (n > 4_096) expect(t.sentRecently(own[0] as bigint)).toBe(false)
      // ids between its own, and longs a server may name that no session numbers
      expect(own.slice(-100).some((id) => t.sentRecently(id + 1n) || t.sentRecently(id - 1n))).toBe(false)
      expect([0n, -1n, -(2n ** 63n), 2n ** 63n - 1n].some((id) => t.sentRecently(id))).toBe(false)
    }
  })
})

describe('MtSession seal and open', () => {
  // a small packet is sealed and opened at once, a file part's through WebCrypto: both must agree with the server
  const sizes = [8, 4_096]

  it.each(sizes)('encryption.md §3: what it seals (%i-byte body) the server opens with its own crypto, header intact', async (n) => {
    const keyBytes = random(256)
    const s = new MtSession(random)
    const body = random(n)
    const msg = s.number('rpc-query', body, NOW)
    const packet = await s.seal(prepareAuthKey(keyBytes.slice()), 77n, msg)
    const opened = nodeMtproto.openPacket(Buffer.from(keyBytes), Buffer.from(packet))
    expect(opened).toMatchObject({ salt: 77n, sessionId: s.sessionId, msgId: msg.msgId, seqno: msg.seqno })
    expect(Buffer.from(opened.body).equals(Buffer.from(body))).toBe(true)
  })

  it.each(sizes)('opens what the server seals for this session (%i-byte body); a packet for another session is refused', async (n) => {
    const keyBytes = random(256)
    const s = new MtSession(random)
    const key = prepareAuthKey(keyBytes.slice())
    const msgId = (BigInt(NOW) << 32n) | 1n
    const body = Buffer.from(random(n))
    const keyId = new KeyStore().add(2, 'temp', keyBytes.slice(), 0, null).id
    const ours = nodeMtproto.sealPacket(Buffer.from(keyBytes), keyId, { salt: 5n, sessionId: s.sessionId, msgId, seqno: 1, body }, random)
    expect(await s.open(key, ours)).toMatchObject({ salt: 5n, sessionId: s.sessionId, msgId, seqno: 1, body: new Uint8Array(body) })
    const theirs = nodeMtproto.sealPacket(Buffer.from(keyBytes), keyId, { salt: 5n, sessionId: s.sessionId + 1n, msgId, seqno: 1, body }, random)
    await expect(async () => s.open(key, theirs)).rejects.toMatchObject({ code: 'SESSION_MISMATCH' })
  })
})
