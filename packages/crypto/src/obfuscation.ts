/** Transport obfuscation (obfuscated2) key material, transports.md §3. */
import { type CtrStream, createCtrStream } from './aes-ctr.ts'
import { copyOf, expectBytes } from './bytes.ts'
import { CryptoError } from './errors.ts'
import { sha256Sync } from './sha-sync.ts'

export interface ObfuscationKeys {
  encKey: Uint8Array
  encIv: Uint8Array
  decKey: Uint8Array
  decIv: Uint8Array
}

/** Keys of the client's streams (the server swaps enc/dec). `secret`: a 16-byte MTProxy secret. */
export function obfuscationKeys(init64: Uint8Array, secret?: Uint8Array): ObfuscationKeys {
  expectBytes('init64', init64, 64)
  if (secret !== undefined) expectBytes('secret', secret, 16)
  const rev = copyOf(init64).reverse()
  let encKey: Uint8Array = copyOf(init64, 8, 40)
  let decKey: Uint8Array = rev.slice(8, 40)
  const keys = { encIv: copyOf(init64, 40, 56), decIv: rev.slice(40, 56) }
  if (secret !== undefined) {
    const e = sha256Sync(encKey, secret)
    const d = sha256Sync(decKey, secret)
    encKey.fill(0)
    decKey.fill(0)
    encKey = e
    decKey = d
  }
  rev.fill(0)
  return { encKey, decKey, ...keys }
}

const FORBIDDEN_FIRST_WORDS = new Set([0x44414548, 0x54534f50, 0x20544547, 0x4954504f, 0x02010316, 0xdddddddd, 0xeeeeeeee])
const MAX_ATTEMPTS = 1000

function isForbidden(init: Uint8Array): boolean {
  const v = new DataView(init.buffer, init.byteOffset, 64)
  return init[0] === 0xef || FORBIDDEN_FIRST_WORDS.has(v.getUint32(0, true)) || v.getUint32(4, true) === 0
}

/**
 * A 64-byte init for the obfuscated2 handshake: random bytes regenerated while they look
 * like another protocol, then the 4-byte protocol tag at 56 and the DC id (int16 LE) at 60.
 */
export function generateObfuscationInit(random: (n: number) => Uint8Array, protocolTag: Uint8Array, dcId: number): Uint8Array {
  expectBytes('protocolTag', protocolTag, 4)
  if (!Number.isInteger(dcId) || dcId < -32768 || dcId > 32767) {
    throw new CryptoError('BAD_INPUT', 'dcId: expected an int16')
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const r = random(64)
    expectBytes('random(64)', r, 64)
    const init = copyOf(r)
    if (isForbidden(init)) continue
    init.set(protocolTag, 56)
    new DataView(init.buffer).setInt16(60, dcId, true)
    return init
  }
  throw new CryptoError('RANDOM_FAILURE', 'random: kept producing forbidden obfuscation prefixes')
}

export interface ObfuscatedStart {
  /** The 64 bytes to send first: init[0:56] in clear, then the encrypted tag and DC id. */
  header: Uint8Array
  /** Client→server stream, already advanced past the 64 header bytes. */
  encryptor: CtrStream
  /** Server→client stream, at offset 0. */
  decryptor: CtrStream
}

/**
 * The client side of transports.md §3 steps 4–7 for a given init. Resolves once the
 * encryptor's first keystream is made, so the first frames go out without waiting.
 * `onError`: a later keystream refill failed; that stream is closed.
 */
export async function startObfuscation(init64: Uint8Array, secret?: Uint8Array, onError?: (err: CryptoError) => void): Promise<ObfuscatedStart> {
  const k = obfuscationKeys(init64, secret)
  // a refill failing before the header is made fails the start; later ones go to onError
  let failStart: ((err: CryptoError) => void) | null = null
  const report = (err: CryptoError): void => (failStart ?? onError)?.(err)
  const encryptor = createCtrStream(k.encKey, k.encIv, { onError: report })
  const decryptor = createCtrStream(k.decKey, k.decIv, { onError: report })
  k.encKey.fill(0)
  k.decKey.fill(0)
  let encrypted: Uint8Array
  try {
    encrypted = await new Promise<Uint8Array>((resolve, reject) => {
      failStart = reject
      encryptor.process(init64, resolve)
    })
  } catch (err) {
    encryptor.close()
    decryptor.close()
    throw err
  } finally {
    failStart = null
  }
  const header = copyOf(init64)
  header.set(encrypted.subarray(56, 64), 56)
  encrypted.fill(0)
  return { header, encryptor, decryptor }
}
