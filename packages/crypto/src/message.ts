/**
 * MTProto 2.0 message encryption and the receive checks of encryption.md §4 (client items
 * 2–5; the server mirrors them). Small messages take an all-synchronous path (JS SHA-256 +
 * JS AES); large ones use WebCrypto for hashing and IGE encryption. Thresholds come from
 * bench/results/crypto.json.
 */
import { expandDecKey, expandEncKey, igeDecryptWords, igeEncryptWords } from './aes-core.ts'
import { igeEncryptWebCrypto } from './aes-ige.ts'
import { importCbcKey } from './aes-key-cache.ts'
import { bufferSource, concatBytes, copyOf, constantTimeEqual, expectBlocks, expectUint8Array } from './bytes.ts'
import { SecurityError } from './errors.ts'
import { kdf2, kdfOffset, msgKeyLargeSync } from './mtproto-kdf.ts'
import { type AuthKeyInput, resolveAuthKey } from './prepared-auth-key.ts'

/** From this plaintext size up, msg_key is hashed by WebCrypto instead of JS SHA-256. */
export const HASH_WEBCRYPTO_MIN_BYTES = 4096
/** From this size up, the IGE encryption of a message goes through WebCrypto AES-CBC. */
export const MESSAGE_IGE_WEBCRYPTO_MIN_BYTES = 4096

const MIN_PADDING = 12
const MAX_PADDING = 1024
const HEADER = 32

export interface EncryptedMessage {
  /** auth_key_id (8) ‖ msg_key (16) ‖ encrypted_data: the transport payload. */
  packet: Uint8Array
  /** A view of packet[8:24]. */
  msgKey: Uint8Array
  /** Quick-ack token: LE_uint32(msg_key_large[0:4]) | 0x80000000 (transports). */
  quickAckToken: number
}

export interface DecryptedMessage {
  /** salt, session_id, msg_id, seq_no, length and message_data (32 + L bytes, padding removed). */
  plaintext: Uint8Array
  /** Quick-ack token the sender expects for this packet. */
  quickAckToken: number
}

async function msgKeyLarge(authKey: Uint8Array, plaintext: Uint8Array, x: number): Promise<Uint8Array> {
  if (plaintext.length < HASH_WEBCRYPTO_MIN_BYTES) return msgKeyLargeSync(authKey, plaintext, x)
  const input = concatBytes(authKey.subarray(88 + x, 120 + x), plaintext)
  try {
    return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bufferSource(input)))
  } finally {
    input.fill(0)
  }
}

function quickAck(large: Uint8Array): number {
  return (((large[0] as number) | ((large[1] as number) << 8) | ((large[2] as number) << 16) | ((large[3] as number) << 24)) | 0x80000000) >>> 0
}

/**
 * Encrypts a complete plaintext (header, message_data and 12..1024 bytes of padding, a
 * multiple of 16). `fromClient` picks x = 0 (client→server) or 8 (server→client).
 */
export async function encryptMessage(authKey: AuthKeyInput, plaintext: Uint8Array, fromClient: boolean): Promise<EncryptedMessage> {
  expectBlocks('plaintext', plaintext)
  const ak = resolveAuthKey(authKey)
  const x = kdfOffset(fromClient)
  const large = await msgKeyLarge(ak.bytes, plaintext, x)
  const msgKey = large.subarray(8, 24)
  const { key, iv } = kdf2(ak.bytes, msgKey, x)
  const packet = new Uint8Array(24 + plaintext.length)
  let rk: Int32Array | undefined
  try {
    packet.set(ak.id, 0)
    packet.set(msgKey, 8)
    if (plaintext.length < MESSAGE_IGE_WEBCRYPTO_MIN_BYTES) {
      packet.set(plaintext, 24)
      rk = expandEncKey(key)
      igeEncryptWords(new Int32Array(packet.buffer, 24), rk, new Int32Array(iv.buffer))
    } else {
      packet.set(await igeEncryptWebCrypto(await importCbcKey(key), iv, plaintext), 24)
    }
    return { packet, msgKey: packet.subarray(8, 24), quickAckToken: quickAck(large) }
  } finally {
    key.fill(0)
    iv.fill(0)
    rk?.fill(0)
    large.fill(0)
  }
}

/**
 * Decrypts a received packet and runs every receive check: auth_key_id, trimming of
 * len % 16 excess bytes, msg_key (constant time, checked before anything read from the
 * plaintext), length field and padding range. Throws SecurityError; the caller must drop
 * the packet and reconnect.
 */
export async function decryptMessage(authKey: AuthKeyInput, packet: Uint8Array, fromClient: boolean): Promise<DecryptedMessage> {
  expectUint8Array('packet', packet)
  const ak = resolveAuthKey(authKey)
  if (packet.length < 24) throw new SecurityError('BAD_LENGTH', 'packet: shorter than auth_key_id + msg_key')
  if (!constantTimeEqual(packet.subarray(0, 8), ak.id)) {
    throw new SecurityError('AUTH_KEY_ID_MISMATCH', 'packet: auth_key_id is not the key in use')
  }
  const x = kdfOffset(fromClient)
  const msgKey = copyOf(packet, 8, 24)
  const total = (packet.length - 24) & ~15
  const { key, iv } = kdf2(ak.bytes, msgKey, x)
  const plain = copyOf(packet, 24, 24 + total)
  let dk: Int32Array | undefined
  let large: Uint8Array | undefined
  try {
    const ek = expandEncKey(key)
    dk = expandDecKey(ek)
    ek.fill(0)
    igeDecryptWords(new Int32Array(plain.buffer), dk, new Int32Array(iv.buffer))
    large = await msgKeyLarge(ak.bytes, plain, x)
    if (!constantTimeEqual(large.subarray(8, 24), msgKey)) {
      throw new SecurityError('MSG_KEY_MISMATCH', 'packet: msg_key check failed')
    }
    if (total < HEADER) throw new SecurityError('BAD_LENGTH', 'packet: shorter than the message header')
    const length = new DataView(plain.buffer).getUint32(28, true)
    if (length % 4 !== 0 || length > total - HEADER) {
      throw new SecurityError('BAD_LENGTH', 'packet: message_data_length out of range')
    }
    const padding = total - HEADER - length
    if (padding < MIN_PADDING || padding > MAX_PADDING) {
      throw new SecurityError('BAD_PADDING', `packet: padding of ${padding} bytes`)
    }
    return { plaintext: plain.subarray(0, HEADER + length), quickAckToken: quickAck(large) }
  } catch (e) {
    plain.fill(0)
    throw e
  } finally {
    key.fill(0)
    iv.fill(0)
    dk?.fill(0)
    large?.fill(0)
  }
}
