import { timingSafeEqual } from 'node:crypto'
import { igeDecrypt, igeEncrypt } from '../primitives/aes-ige.ts'
import { longToBytes } from '../primitives/bytes.ts'
import { kdfV2, msgKeyV2, type Direction } from '../primitives/kdf.ts'
import { ProtocolCheckError } from '../errors.ts'

export interface PlainMessage {
  salt: bigint
  sessionId: bigint
  msgId: bigint
  seqno: number
  body: Buffer
}

/**
 * Decrypts an MTProto 2.0 packet (encryption.md §1–§4). Padded intermediate may add up to
 * 15 bytes after the packet, so the excess `len % 16` is trimmed first. The msg_key is
 * checked before any length field is trusted; every failure is one ProtocolCheckError.
 */
export function openPacket(authKey: Uint8Array, payload: Uint8Array, x: Direction = 0): PlainMessage {
  const dataLength = payload.length - 24
  if (dataLength < 48) throw new ProtocolCheckError('PACKET_TOO_SHORT')
  const encrypted = payload.subarray(24, 24 + dataLength - (dataLength % 16))
  const msgKey = payload.subarray(8, 24)
  const { key, iv } = kdfV2(authKey, msgKey, x)
  const plain = igeDecrypt(encrypted, key, iv)
  if (!timingSafeEqual(msgKeyV2(authKey, plain, x), msgKey)) throw new ProtocolCheckError('MSG_KEY_MISMATCH')
  const length = plain.readUInt32LE(28)
  const padding = plain.length - 32 - length
  if (length % 4 !== 0 || padding < 12 || padding > 1024) throw new ProtocolCheckError('BAD_MESSAGE_LENGTH')
  return {
    salt: plain.readBigInt64LE(0),
    sessionId: plain.readBigInt64LE(8),
    msgId: plain.readBigInt64LE(16),
    seqno: plain.readInt32LE(24),
    body: plain.subarray(32, 32 + length),
  }
}

/** Encrypts one message; padding is 12..27 random bytes to a multiple of 16. */
export function sealPacket(
  authKey: Uint8Array,
  authKeyId: bigint,
  msg: PlainMessage,
  random: (n: number) => Uint8Array,
  x: Direction = 8,
): Buffer {
  const headLength = 32 + msg.body.length
  const padding = 12 + ((16 - ((headLength + 12) % 16)) % 16) + (random(1)[0]! % 2) * 16
  const plain = Buffer.alloc(headLength + padding)
  plain.writeBigInt64LE(BigInt.asIntN(64, msg.salt), 0)
  plain.writeBigInt64LE(BigInt.asIntN(64, msg.sessionId), 8)
  plain.writeBigInt64LE(msg.msgId, 16)
  plain.writeInt32LE(msg.seqno, 24)
  plain.writeUInt32LE(msg.body.length, 28)
  plain.set(msg.body, 32)
  plain.set(random(padding), headLength)
  const msgKey = msgKeyV2(authKey, plain, x)
  const { key, iv } = kdfV2(authKey, msgKey, x)
  return Buffer.concat([longToBytes(authKeyId), msgKey, igeEncrypt(plain, key, iv)])
}

/** Unencrypted envelope: 0 | msg_id | length | body (mtproto-tl.md §2). */
export function openPlain(payload: Uint8Array): { msgId: bigint; body: Buffer } {
  if (payload.length < 20) throw new ProtocolCheckError('PACKET_TOO_SHORT')
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  const length = buf.readUInt32LE(16)
  if (length > buf.length - 20 || length % 4 !== 0) throw new ProtocolCheckError('BAD_MESSAGE_LENGTH')
  return { msgId: buf.readBigInt64LE(8), body: buf.subarray(20, 20 + length) }
}

export function sealPlain(msgId: bigint, body: Uint8Array): Buffer {
  const head = Buffer.alloc(20)
  head.writeBigInt64LE(msgId, 8)
  head.writeUInt32LE(body.length, 16)
  return Buffer.concat([head, body])
}
