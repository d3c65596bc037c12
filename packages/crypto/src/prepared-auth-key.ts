/**
 * An auth key readied for message encryption: a private copy of the 256 bytes plus its
 * auth_key_id, so a message does not pay a 256-byte SHA-1 to learn the id. It never shows
 * its bytes (toString/toJSON/inspect give '[redacted]'); wipe() zeroes them.
 */
import { copyOf, expectBytes } from './bytes.ts'
import { CryptoError } from './errors.ts'
import { sha1Sync } from './sha-sync.ts'

let readBytes: (k: PreparedAuthKey) => Uint8Array

export class PreparedAuthKey {
  /** auth_key_id: SHA1(auth_key)[12:20], the 8 wire bytes. */
  readonly id: Uint8Array
  #bytes: Uint8Array
  #wiped = false

  static {
    readBytes = (k) => {
      if (k.#wiped) throw new CryptoError('KEY_WIPED', 'authKey: used after wipe()')
      return k.#bytes
    }
  }

  constructor(authKey: Uint8Array) {
    expectBytes('authKey', authKey, 256, 'BAD_KEY_LENGTH')
    this.#bytes = copyOf(authKey)
    const h = sha1Sync(this.#bytes)
    this.id = h.slice(12, 20)
    h.fill(0)
  }

  wipe(): void {
    this.#bytes.fill(0)
    this.#wiped = true
  }

  toString(): string {
    return '[redacted]'
  }

  toJSON(): string {
    return '[redacted]'
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]'
  }
}

export type AuthKeyInput = Uint8Array | PreparedAuthKey

export function prepareAuthKey(authKey: Uint8Array): PreparedAuthKey {
  return new PreparedAuthKey(authKey)
}

/** Normalises either form: `authKey` is validated, a raw one is prepared on the fly. */
export interface ResolvedAuthKey {
  bytes: Uint8Array
  id: Uint8Array
}

export function resolveAuthKey(authKey: AuthKeyInput): ResolvedAuthKey {
  const k = authKey instanceof PreparedAuthKey ? authKey : new PreparedAuthKey(authKey)
  return { bytes: readBytes(k), id: k.id }
}
