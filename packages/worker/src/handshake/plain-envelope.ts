/**
 * The unencrypted envelope of the key exchange (mtproto-tl.md §2):
 * auth_key_id = 0 | msg_id | length | body.
 */
import { HandshakeError } from '../errors.ts'

export function encodePlain(msgId: bigint, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + body.length)
  const view = new DataView(out.buffer)
  view.setBigInt64(8, msgId, true)
  view.setUint32(16, body.length, true)
  out.set(body, 20)
  return out
}

/** Returns the body; the server msg_id must be ≡ 1 mod 4 (an answer). */
export function decodePlain(packet: Uint8Array): { msgId: bigint; body: Uint8Array } {
  if (packet.length < 20) throw new HandshakeError('BAD_ENVELOPE', 'unencrypted packet too short')
  const view = new DataView(packet.buffer, packet.byteOffset, packet.length)
  if (view.getBigInt64(0, true) !== 0n) throw new HandshakeError('BAD_ENVELOPE', 'auth_key_id is not 0')
  const msgId = view.getBigInt64(8, true)
  if ((msgId & 3n) !== 1n) throw new HandshakeError('BAD_ENVELOPE', 'server msg_id must be ≡ 1 mod 4')
  const len = view.getUint32(16, true)
  if (len > packet.length - 20 || len % 4 !== 0) throw new HandshakeError('BAD_ENVELOPE', 'body length out of range')
  return { msgId, body: packet.subarray(20, 20 + len) }
}
