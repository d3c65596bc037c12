import { createCipheriv, type Cipher } from 'node:crypto'
import { ServerTransportError } from '../errors.ts'
import type { Framing } from './framing.ts'

export interface ObfuscatedStreams {
  framing: Framing
  /** init[60:62] as int16 LE; random on direct connections from mtcute/GramJS (transports.md §4). */
  dc: number
  /** Decrypts what the peer sends. */
  decrypt: Cipher
  /** Encrypts what we send. */
  encrypt: Cipher
}

const TAG_FRAMING: Record<number, Framing> = {
  0xefefefef: 'abridged',
  0xeeeeeeee: 'intermediate',
  0xdddddddd: 'padded',
}

function ctr(key: Uint8Array, iv: Uint8Array): Cipher {
  return createCipheriv('aes-256-ctr', key, iv)
}

/** Server side of obfuscated2 (transports.md §3 "Server"): 64 bytes in, two CTR streams out. */
export function acceptObfuscated(init: Uint8Array): ObfuscatedStreams {
  if (init.length !== 64) throw new RangeError('obfuscation init must be 64 bytes')
  const rev = Buffer.from(init).reverse()
  const decrypt = ctr(init.subarray(8, 40), init.subarray(40, 56))
  const encrypt = ctr(rev.subarray(8, 40), rev.subarray(40, 56))
  const plain = decrypt.update(init)
  const framing = TAG_FRAMING[plain.readUInt32LE(56)]
  if (framing === undefined) throw new ServerTransportError('BAD_OBFUSCATION_TAG')
  return { framing, dc: plain.readInt16LE(60), decrypt, encrypt }
}

const FORBIDDEN_FIRST_WORDS = new Set([0x44414548, 0x54534f50, 0x20544547, 0x4954504f, 0x02010316, 0xdddddddd, 0xeeeeeeee])
const FRAMING_TAG_WORD: Record<Framing, number> = { abridged: 0xefefefef, intermediate: 0xeeeeeeee, padded: 0xdddddddd }

/**
 * Client side (transports.md §3 "Client"), used by the test client: returns the 64 bytes to
 * send (0..55 clear, 56..63 encrypted) and the two streams.
 */
export function openObfuscated(
  framing: Framing,
  dc: number,
  random: (n: number) => Uint8Array,
): { header: Buffer; encrypt: Cipher; decrypt: Cipher } {
  let init: Buffer
  do {
    init = Buffer.from(random(64))
  } while (init[0] === 0xef || FORBIDDEN_FIRST_WORDS.has(init.readUInt32LE(0)) || init.readUInt32LE(4) === 0)
  init.writeUInt32LE(FRAMING_TAG_WORD[framing], 56)
  init.writeInt16LE(dc, 60)
  const rev = Buffer.from(init).reverse()
  const encrypt = ctr(init.subarray(8, 40), init.subarray(40, 56))
  const decrypt = ctr(rev.subarray(8, 40), rev.subarray(40, 56))
  const encrypted = encrypt.update(init)
  return { header: Buffer.concat([init.subarray(0, 56), encrypted.subarray(56, 64)]), encrypt, decrypt }
}
