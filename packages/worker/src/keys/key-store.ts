/**
 * The single owner of auth key bytes in the worker (STYLE "Secrets"). Everyone else holds
 * a KeyHandle: the public auth_key_id, the kind and the expiry. Bytes are lent to a
 * callback for one crypto operation, written to perm storage from here only, and zeroed
 * with fill(0) when the key is dropped.
 */
import { prepareAuthKey, type PreparedAuthKey } from '@pfs-web/crypto'
import type { PermKeyStorage } from '../env.ts'
import { EngineError } from '../errors.ts'

export type KeyKind = 'perm' | 'temp'

export interface KeyHandle {
  readonly dcId: number
  readonly kind: KeyKind
  /** auth_key_id as TL long (signed LE int64 of SHA1(key)[12:20]). */
  readonly id: bigint
  /** The same 8 bytes in wire order, for packet headers. */
  readonly idBytes: Uint8Array
  /** 16 hex digits of the wire bytes; what crosses the worker boundary. */
  readonly idHex: string
  /** Server unixtime the key was made (perm keys loaded from storage: 0, i.e. "old"). */
  readonly createdAt: number
  /** Server unixtime of expiry; null for perm keys. */
  readonly expiresAt: number | null
}

const REDACTED = '[redacted]'
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/** Holds one key's bytes (and crypto's prepared copy); every textual view is redacted. */
class KeyBox {
  constructor(
    readonly bytes: Uint8Array,
    readonly prepared: PreparedAuthKey,
  ) {}
  toString(): string {
    return REDACTED
  }
  toJSON(): string {
    return REDACTED
  }
  [inspectSymbol](): string {
    return REDACTED
  }
}

export function hexOf(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

export class KeyStore {
  readonly #boxes = new Map<KeyHandle, KeyBox>()

  /** Takes ownership of `bytes` (the caller must not keep them) and returns the handle. */
  add(dcId: number, kind: KeyKind, bytes: Uint8Array, createdAt: number, expiresAt: number | null): KeyHandle {
    if (bytes.length !== 256) throw new EngineError('BAD_KEY', 'an auth key is 256 bytes')
    const prepared = prepareAuthKey(bytes)
    // auth_key_id = SHA1(key)[12:20] (encryption.md), computed once by crypto's prepared key.
    const idBytes = prepared.id.slice()
    const id = new DataView(idBytes.buffer).getBigInt64(0, true)
    const handle: KeyHandle = Object.freeze({ dcId, kind, id, idBytes, idHex: hexOf(idBytes), createdAt, expiresAt })
    this.#boxes.set(handle, new KeyBox(bytes, prepared))
    return handle
  }

  /** Loads the DC's perm key from storage; undefined when none is stored. */
  async loadPerm(dcId: number, storage: PermKeyStorage): Promise<KeyHandle | undefined> {
    const stored = await storage.get(dcId)
    if (!stored) return undefined
    return this.add(dcId, 'perm', stored.slice(), 0, null)
  }

  /** Writes a perm key to storage: the only path by which key bytes leave the store. */
  async persistPerm(handle: KeyHandle, storage: PermKeyStorage): Promise<void> {
    if (handle.kind !== 'perm') throw new EngineError('NOT_PERM', 'only perm keys are stored')
    await storage.set(handle.dcId, this.#box(handle).bytes.slice())
  }

  has(handle: KeyHandle): boolean {
    return this.#boxes.has(handle)
  }

  /**
   * Lends the key bytes to `fn` for one operation. `fn` must not keep them: they are zeroed
   * when the key is dropped.
   */
  use<T>(handle: KeyHandle, fn: (key: Uint8Array) => T): T {
    return fn(this.#box(handle).bytes)
  }

  /** Lends crypto's prepared form (message encryption skips re-hashing the id). */
  usePrepared<T>(handle: KeyHandle, fn: (key: PreparedAuthKey) => T): T {
    return fn(this.#box(handle).prepared)
  }

  /** Zeroes and forgets the key; dropping twice is harmless. */
  drop(handle: KeyHandle): void {
    const box = this.#boxes.get(handle)
    if (!box) return
    box.bytes.fill(0)
    box.prepared.wipe()
    this.#boxes.delete(handle)
  }

  dropDc(dcId: number): void {
    for (const h of [...this.#boxes.keys()]) if (h.dcId === dcId) this.drop(h)
  }

  dropAll(): void {
    for (const h of [...this.#boxes.keys()]) this.drop(h)
  }

  get size(): number {
    return this.#boxes.size
  }

  toString(): string {
    return REDACTED
  }
  toJSON(): string {
    return REDACTED
  }
  [inspectSymbol](): string {
    return REDACTED
  }

  #box(handle: KeyHandle): KeyBox {
    const box = this.#boxes.get(handle)
    if (!box) throw new EngineError('KEY_DROPPED', `key ${handle.idHex} is no longer held`)
    return box
  }
}
