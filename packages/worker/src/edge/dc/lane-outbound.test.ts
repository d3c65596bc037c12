/** Numbering and packing one send (mtproto-tl.md §4 msg_container), on a real MtSession. */
import { TlReader, decodeObject, serializeObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { containerBytes, numberAndPack, rawOf, type Outgoing } from './lane-outbound.ts'
import { MtSession } from './mt-session.ts'

const NOW = 1_700_000_000
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))
const ping = (n: number): Outgoing => ({ kind: 'ping', body: serializeObject({ _: 'ping', ping_id: BigInt(n) }) })
const none = () => false

describe('numberAndPack', () => {
  it('a lone message goes alone, not in a container', () => {
    const s = new MtSession(random)
    const { packets, sent } = numberAndPack([ping(1)], 1, s, NOW, none)
    expect(packets).toHaveLength(1)
    expect(decodeObject(new TlReader(packets[0]!.body))._).toBe('ping')
    expect(sent).toEqual([{ msgId: packets[0]!.msgId, containerId: null, sessionId: s.sessionId }])
  })

  it('several go in one container, in order, each with its own msg_id; riders are not reported', () => {
    const s = new MtSession(random)
    const ack: Outgoing = { kind: 'msgs-ack', body: serializeObject({ _: 'msgs_ack', msg_ids: [5n] }) }
    const { packets, sent } = numberAndPack([ping(1), ping(2), ack], 2, s, NOW, none)
    expect(packets).toHaveLength(1)
    const c = decodeObject(new TlReader(packets[0]!.body))
    if (c._ !== 'msg_container') throw new Error(`got ${c._}`)
    expect(c.messages.map((m) => m.body._)).toEqual(['ping', 'ping', 'msgs_ack'])
    expect(sent.map((x) => x.msgId)).toEqual(c.messages.slice(0, 2).map((m) => m.msg_id))
    expect(sent.every((x) => x.containerId === packets[0]!.msgId)).toBe(true)
    // the container is numbered after what it carries (encryption.md §5: ids grow)
    expect(packets[0]!.msgId > c.messages[2]!.msg_id).toBe(true)
  })

  it('the container written as bytes is exactly what the TL codec encodes for it (negative seqno and ids too)', () => {
    const messages = [
      { msgId: 0x7fff_ffff_ffff_fffcn, seqno: 7, body: ping(1).body as Uint8Array },
      { msgId: -8n, seqno: -1, body: serializeObject({ _: 'msgs_ack', msg_ids: [1n, 2n] }) },
    ]
    const viaCodec = serializeObject({
      _: 'msg_container',
      messages: messages.map((m) => ({ msg_id: m.msgId, seqno: m.seqno, bytes: m.body.length, body: rawOf(m.body) })),
    })
    expect(containerBytes(messages)).toEqual(viaCodec)
  })

  it('encryption.md §7: a body builder is given the msg_id of the message that carries it', () => {
    const s = new MtSession(random)
    let given = 0n
    const bind: Outgoing = { kind: 'rpc-query', body: (id) => ((given = id), serializeObject({ _: 'ping', ping_id: 1n })) }
    const { sent } = numberAndPack([bind], 1, s, NOW, none)
    expect(given).toBe(sent[0]!.msgId)
  })

  it('a message over the container byte budget (session/batch) goes alone: no container', () => {
    const s = new MtSession(random)
    const big: Outgoing = { kind: 'rpc-query', body: serializeObject({ _: 'upload.saveFilePart', file_id: 1n, file_part: 0, bytes: new Uint8Array(70_000) }) }
    const { packets, sent } = numberAndPack([big, ping(1)], 2, s, NOW, none)
    expect(packets).toHaveLength(2)
    expect(sent.every((x) => x.containerId === null)).toBe(true)
  })
})
