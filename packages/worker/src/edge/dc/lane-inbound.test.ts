/** What of an opened packet a lane uses (encryption.md §4), on a real MtSession and no socket. */
import { serializeObject, type TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { rawOf } from './lane.ts'
import { usableMessages } from './lane-inbound.ts'
import { MtSession, type InMessage } from './mt-session.ts'

const NOW = 1_700_000_000
/** A server msg_id (≡ 1 mod 4) at unix time `t`. */
const serverId = (t: number, n = 0): bigint => (BigInt(t) << 32n) | BigInt(n * 4 + 1)
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))

function packet(msgId: bigint, body: TlObject): InMessage {
  return { salt: 0n, msgId, seqno: 1, body: serializeObject(body) }
}

function container(items: { msgId: bigint; obj: TlObject }[]): InMessage {
  const messages = items.map(({ msgId, obj }) => {
    const bytes = serializeObject(obj)
    return { msg_id: msgId, seqno: 1, bytes: bytes.length, body: rawOf(bytes) }
  })
  return packet(serverId(NOW, 99), { _: 'msg_container', messages })
}

const pong = (n: number): TlObject => ({ _: 'pong', msg_id: BigInt(n), ping_id: BigInt(n) })
const kinds = (it: Iterable<{ obj: TlObject }>) => [...it].map((m) => m.obj._)

describe('usableMessages', () => {
  it('a lone message is used as it came', () => {
    const session = new MtSession(random)
    const got = [...usableMessages(packet(serverId(NOW), pong(1)), session, NOW)]
    expect(got).toEqual([{ msgId: serverId(NOW), seqno: 1, obj: expect.objectContaining({ _: 'pong' }) }])
  })

  it('mtproto-tl.md §4: a container\'s messages are used in order; a nested container is dropped unread', () => {
    const session = new MtSession(random)
    const nested = { _: 'msg_container', messages: [] } as TlObject
    const top = container([
      { msgId: serverId(NOW, 1), obj: pong(1) },
      { msgId: serverId(NOW, 2), obj: nested },
      { msgId: serverId(NOW, 3), obj: { _: 'new_session_created', first_msg_id: 1n, unique_id: 2n, server_salt: 3n } },
    ])
    expect(kinds(usableMessages(top, session, NOW))).toEqual(['pong', 'new_session_created'])
  })

  it('encryption.md §4: a replayed msg_id is ignored, the connection kept', () => {
    const session = new MtSession(random)
    expect(kinds(usableMessages(packet(serverId(NOW, 5), pong(1)), session, NOW))).toEqual(['pong'])
    expect(kinds(usableMessages(packet(serverId(NOW, 5), pong(1)), session, NOW))).toEqual([])
  })

  it('encryption.md §4: a message older than the window is ignored, unless it is a notice that fixes the clock', () => {
    const session = new MtSession(random)
    const old = NOW - 600
    expect(kinds(usableMessages(packet(serverId(old, 1), pong(1)), session, NOW))).toEqual([])
    const salt: TlObject = { _: 'bad_server_salt', bad_msg_id: 4n, bad_msg_seqno: 1, error_code: 48, new_server_salt: 9n }
    expect(kinds(usableMessages(packet(serverId(old, 2), salt), session, NOW))).toEqual(['bad_server_salt'])
  })

  it('issue #18: a clock-fixing notice with an implausible time drops the whole packet before anything is used', () => {
    const session = new MtSession(random)
    const salt: TlObject = { _: 'bad_server_salt', bad_msg_id: 4n, bad_msg_seqno: 1, error_code: 48, new_server_salt: 9n }
    const top = container([
      { msgId: serverId(NOW, 1), obj: pong(1) },
      { msgId: serverId(NOW + 40 * 86_400, 2), obj: salt },
    ])
    const it = usableMessages(top, session, NOW)
    expect(() => it.next()).toThrow(expect.objectContaining({ code: 'BAD_MSG_TIME' }))
  })

  it('an answer to a request this session really sent is taken whatever its time', () => {
    const session = new MtSession(random)
    const sent = session.number('rpc-query', new Uint8Array(4), NOW).msgId
    const answer: TlObject = { _: 'rpc_result', req_msg_id: sent, result: { _: 'boolTrue' } }
    const late = serverId(NOW - 3_600, 1)
    expect(kinds(usableMessages(packet(late, answer), session, NOW))).toEqual(['rpc_result'])
    const stranger: TlObject = { _: 'rpc_result', req_msg_id: sent + 4n, result: { _: 'boolTrue' } }
    expect(kinds(usableMessages(packet(serverId(NOW - 3_600, 2), stranger), session, NOW))).toEqual([])
  })

  it('an even msg_id rejects the packet: messages before it were used, none after', () => {
    const session = new MtSession(random)
    const top = container([
      { msgId: serverId(NOW, 1), obj: pong(1) },
      { msgId: serverId(NOW, 2) - 1n, obj: pong(2) },
      { msgId: serverId(NOW, 3), obj: pong(3) },
    ])
    const used: string[] = []
    expect(() => {
      for (const m of usableMessages(top, session, NOW)) used.push(String(m.obj._))
    }).toThrow(expect.objectContaining({ code: 'BAD_MSG_ID' }))
    expect(used).toEqual(['pong'])
  })
})
