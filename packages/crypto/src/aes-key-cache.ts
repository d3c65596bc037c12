/**
 * A small LRU of prepared AES-256 keys (JS round keys and a WebCrypto CryptoKey), so a key
 * used for many calls (handshake tmp_aes_key, benchmarks, callers that reuse a key) is
 * expanded and imported once. Lookup compares bytes; no key material is ever turned into
 * a string, and evicted entries are wiped.
 */
import { expandDecKey, expandEncKey } from './aes-core.ts'
import { bufferSource, copyOf } from './bytes.ts'

const CAPACITY = 8

export class PreparedAesKey {
  readonly #bytes: Uint8Array
  #enc: Int32Array | undefined
  #dec: Int32Array | undefined
  #crypto: Promise<CryptoKey> | undefined

  constructor(key: Uint8Array) {
    this.#bytes = copyOf(key)
  }

  matches(key: Uint8Array): boolean {
    const b = this.#bytes
    for (let i = 0; i < 32; i++) if (b[i] !== key[i]) return false
    return true
  }

  get enc(): Int32Array {
    return (this.#enc ??= expandEncKey(this.#bytes))
  }

  get dec(): Int32Array {
    return (this.#dec ??= expandDecKey(this.enc))
  }

  /** Non-extractable AES-CBC key; CBC is the only mode the IGE encrypt trick needs. */
  cryptoKey(): Promise<CryptoKey> {
    return (this.#crypto ??= importCbcKey(this.#bytes))
  }

  wipe(): void {
    this.#bytes.fill(0)
    this.#enc?.fill(0)
    this.#dec?.fill(0)
  }

  toString(): string {
    return '[redacted]'
  }

  toJSON(): string {
    return '[redacted]'
  }
}

export function importCbcKey(key: Uint8Array): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', bufferSource(key), { name: 'AES-CBC' }, false, ['encrypt'])
}

const entries: PreparedAesKey[] = []

/** The cached entry for `key` (32 bytes, already validated), most recent first. */
export function preparedKey(key: Uint8Array): PreparedAesKey {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as PreparedAesKey
    if (e.matches(key)) {
      if (i !== 0) {
        entries.splice(i, 1)
        entries.unshift(e)
      }
      return e
    }
  }
  const e = new PreparedAesKey(key)
  entries.unshift(e)
  if (entries.length > CAPACITY) entries.pop()?.wipe()
  return e
}

/**
 * Wipes and evicts the cached entry for `key`, if any. One-shot keys (RSA_PAD's temp_key,
 * the handshake's tmp_aes_key) call this when done so no copy outlives the caller's own
 * wipe.
 */
export function forgetAesKey(key: Uint8Array): void {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as PreparedAesKey
    if (key.length === 32 && e.matches(key)) {
      entries.splice(i, 1)
      e.wipe()
      return
    }
  }
}
