/**
 * MTProto 2.0 message encryption and the receive checks of encryption.md §4 (client items
 * 2–5; the server mirrors them). Small messages take an all-synchronous path (JS SHA-256 +
 * WebAssembly AES); large ones use WebCrypto for hashing and IGE encryption. Thresholds come from
 * bench/results/crypto.json.
 */
import { expandDecKeyInto, expandEncKeyInto } from './aes-core.ts'
import { igeDecryptInto, igeEncryptInto } from './aes-wasm.ts'
import { igeEncryptWebCrypto } from './aes-ige.ts'
import { importCbcKey } from './aes-key-cache.ts'
import { constantTimeEqual, copyOf, expectBlocks, expectUint8Array, scratchWords, wipe } from './bytes.ts'
import { SecurityError } from './errors.ts'
import { kdf2, kdfOffset, msgKeyLargeSync } from './mtproto-kdf.ts'
import { type AuthKeyInput, type ResolvedAuthKey, resolveAuthKey } from './prepared-auth-key.ts'

/** From this plaintext size up, msg_key is hashed by WebCrypto instead of JS SHA-256. */
export const HASH_WEBCRYPTO_MIN_BYTES = 2048
/** From this size up, the IGE encryption of a message goes through WebCrypto AES-CBC. */
export const MESSAGE_IGE_WEBCRYPTO_MIN_BYTES = 8192

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

// Scratch round keys for the synchronous path: 240-byte typed arrays are allocated off
// the V8 heap, which costs more than expanding the key itself. Wiped after every use.
const ENC_SCHEDULE = new Int32Array(60)
const DEC_SCHEDULE = new Int32Array(60)

async function msgKeyLargeWebCrypto(authKey: Uint8Array, plaintext: Uint8Array, x: number): Promise<Uint8Array> {
  const words = scratchWords(32 + plaintext.length + 3)
  const input = new Uint8Array(words.buffer, 0, 32 + plaintext.length)
  let pending: Promise<ArrayBuffer>
  try {
    input.set(authKey.subarray(88 + x, 120 + x), 0)
    input.set(plaintext, 32)
    // digest copies its input before returning: wipe the shared scratch before awaiting
    pending = globalThis.crypto.subtle.digest('SHA-256', input)
  } finally {
    input.fill(0)
  }
  return new Uint8Array(await pending)
}

function quickAck(large: Uint8Array): number {
  return (((large[0] as number) | ((large[1] as number) << 8) | ((large[2] as number) << 16) | ((large[3] as number) << 24)) | 0x80000000) >>> 0
}

interface Sealing {
  packet: Uint8Array
  key: Uint8Array
  iv: Uint8Array
  result: EncryptedMessage
}

/** Derives the AES key/IV from msg_key_large and writes auth_key_id ‖ msg_key. */
function beginSeal(ak: ResolvedAuthKey, length: number, x: number, large: Uint8Array): Sealing {
  const msgKey = large.subarray(8, 24)
  const { key, iv } = kdf2(ak.bytes, msgKey, x)
  const packet = new Uint8Array(24 + length)
  packet.set(ak.id, 0)
  packet.set(msgKey, 8)
  const result = { packet, msgKey: packet.subarray(8, 24), quickAckToken: quickAck(large) }
  large.fill(0)
  return { packet, key, iv, result }
}

function sealSync(ak: ResolvedAuthKey, plaintext: Uint8Array, x: number, large: Uint8Array): EncryptedMessage {
  const s = beginSeal(ak, plaintext.length, x, large)
  try {
    igeEncryptInto(expandEncKeyInto(s.key, ENC_SCHEDULE), s.iv, plaintext, s.packet.subarray(24))
    return s.result
  } finally {
    wipe(s.key, s.iv, ENC_SCHEDULE)
  }
}

async function sealWebCrypto(ak: ResolvedAuthKey, plaintext: Uint8Array, x: number, large: Uint8Array): Promise<EncryptedMessage> {
  const s = beginSeal(ak, plaintext.length, x, large)
  try {
    await igeEncryptWebCrypto(await importCbcKey(s.key), s.iv, plaintext, new Int32Array(s.packet.buffer, 24))
    return s.result
  } finally {
    wipe(s.key, s.iv)
  }
}

function checkSeal(authKey: AuthKeyInput, plaintext: Uint8Array): ResolvedAuthKey {
  expectBlocks('plaintext', plaintext)
  return resolveAuthKey(authKey)
}

/**
 * Encrypts a complete plaintext (header, message_data and 12..1024 bytes of padding, a
 * multiple of 16). `fromClient` picks x = 0 (client→server) or 8 (server→client). The
 * result comes at once when no WebCrypto step is needed (HASH_WEBCRYPTO_MIN_BYTES), else
 * as a promise: a small call's packet costs no promise hop (issue #17).
 */
export function encryptMessageNow(authKey: AuthKeyInput, plaintext: Uint8Array, fromClient: boolean): EncryptedMessage | Promise<EncryptedMessage> {
  const ak = checkSeal(authKey, plaintext)
  const x = kdfOffset(fromClient)
  const n = plaintext.length
  // the IGE threshold is the higher one: a message hashed in JS is encrypted in JS too
  if (n < HASH_WEBCRYPTO_MIN_BYTES) return sealSync(ak, plaintext, x, msgKeyLargeSync(ak.bytes, plaintext, x))
  return msgKeyLargeWebCrypto(ak.bytes, plaintext, x).then((large) => (n < MESSAGE_IGE_WEBCRYPTO_MIN_BYTES ? sealSync(ak, plaintext, x, large) : sealWebCrypto(ak, plaintext, x, large)))
}

/** encryptMessageNow, always as a promise. */
export async function encryptMessage(authKey: AuthKeyInput, plaintext: Uint8Array, fromClient: boolean): Promise<EncryptedMessage> {
  return encryptMessageNow(authKey, plaintext, fromClient)
}

/** encryptMessage entirely in JS: the fastest form for small messages, usable at any size. */
export function encryptMessageSync(authKey: AuthKeyInput, plaintext: Uint8Array, fromClient: boolean): EncryptedMessage {
  const ak = checkSeal(authKey, plaintext)
  const x = kdfOffset(fromClient)
  return sealSync(ak, plaintext, x, msgKeyLargeSync(ak.bytes, plaintext, x))
}

interface Opening {
  ak: ResolvedAuthKey
  x: number
  msgKey: Uint8Array
  plain: Uint8Array<ArrayBuffer>
}

/** Checks the auth_key_id, trims len % 16 excess bytes and decrypts (msg_key still unchecked). */
function beginOpen(authKey: AuthKeyInput, packet: Uint8Array, fromClient: boolean): Opening {
  expectUint8Array('packet', packet)
  const ak = resolveAuthKey(authKey)
  if (packet.length < 24) throw new SecurityError('BAD_LENGTH', 'packet: shorter than auth_key_id + msg_key')
  if (!constantTimeEqual(packet.subarray(0, 8), ak.id)) {
    throw new SecurityError('AUTH_KEY_ID_MISMATCH', 'packet: auth_key_id is not the key in use')
  }
  const x = kdfOffset(fromClient)
  const msgKey = copyOf(packet, 8, 24)
  const total = (packet.length - 24) & ~15
  const plain = new Uint8Array(total)
  const { key, iv } = kdf2(ak.bytes, msgKey, x)
  try {
    const dk = expandDecKeyInto(expandEncKeyInto(key, ENC_SCHEDULE), DEC_SCHEDULE)
    igeDecryptInto(dk, iv, packet.subarray(24, 24 + total), plain)
  } finally {
    wipe(key, iv, ENC_SCHEDULE, DEC_SCHEDULE)
  }
  return { ak, x, msgKey, plain }
}

/** msg_key first (constant time), then the length field and padding (encryption.md §4). */
function finishOpen(o: Opening, large: Uint8Array): DecryptedMessage {
  const { plain } = o
  try {
    if (!constantTimeEqual(large.subarray(8, 24), o.msgKey)) {
      throw new SecurityError('MSG_KEY_MISMATCH', 'packet: msg_key check failed')
    }
    const total = plain.length
    if (total < HEADER) throw new SecurityError('BAD_LENGTH', 'packet: shorter than the message header')
    const length = ((plain[28] as number) | ((plain[29] as number) << 8) | ((plain[30] as number) << 16) | ((plain[31] as number) << 24)) >>> 0
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
  return decryptMessageNow(authKey, packet, fromClient)
}

/**
 * decryptMessage with the result at once when no WebCrypto step is needed (below
 * HASH_WEBCRYPTO_MIN_BYTES), else as a promise; a bad packet throws at once or rejects,
 * by the same rule. A small answer then costs no promise hop (issue #17).
 */
export function decryptMessageNow(authKey: AuthKeyInput, packet: Uint8Array, fromClient: boolean): DecryptedMessage | Promise<DecryptedMessage> {
  const o = beginOpen(authKey, packet, fromClient)
  if (o.plain.length < HASH_WEBCRYPTO_MIN_BYTES) return finishOpen(o, msgKeyLargeSync(o.ak.bytes, o.plain, o.x))
  return msgKeyLargeWebCrypto(o.ak.bytes, o.plain, o.x).then((large) => finishOpen(o, large))
}

/** decryptMessage entirely in JS. */
export function decryptMessageSync(authKey: AuthKeyInput, packet: Uint8Array, fromClient: boolean): DecryptedMessage {
  const o = beginOpen(authKey, packet, fromClient)
  return finishOpen(o, msgKeyLargeSync(o.ak.bytes, o.plain, o.x))
}
