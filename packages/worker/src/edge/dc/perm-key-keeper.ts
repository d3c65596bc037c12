/**
 * A DC's perm key (pfs §1.1): loaded from storage, else made once by a perm handshake under
 * the storage's lock (tabs that start together end with one key), retried per
 * pfs/retry-policy; dropped from memory and storage when the user logs out or the policy
 * proves it dead. The one writer of the DC's perm key handle.
 */
import type { KeyEvent } from '../../api.ts'
import type { EngineEnv } from '../../env.ts'
import { EngineError } from '../../errors.ts'
import type { HandshakeMode, HandshakeResult } from '../../handshake/handshake.ts'
import type { KeyHandle, KeyStore } from '../../keys/key-store.ts'
import { permHandshakeRetry } from '../../policy/pfs/retry-policy.ts'
import type { Connection, ConnectionPurpose } from '../transport/connection.ts'
import type { DcHooks } from './dc-hooks.ts'

export interface PermKeyHost {
  readonly dcId: number
  readonly env: Pick<EngineEnv, 'permKeys'>
  readonly keys: KeyStore
  readonly hooks: DcHooks
  readonly isStopped: boolean
  runHandshake(mode: HandshakeMode, purpose: ConnectionPurpose): Promise<HandshakeResult & { conn: Pick<Connection, 'close'> }>
  event(kind: KeyEvent['kind'], key: KeyHandle | null): KeyEvent
  setError(err: unknown): void
  now(): number
  rand(): number
  sleep(ms: number): Promise<void>
  count(what: 'perm'): void
  /** The perm key could not be made: whoever waits to connect fails with `err`. */
  permFailed(err: Error): void
}

export class PermKeyKeeper {
  #handle: KeyHandle | null = null
  /** Local ms this client made the key; null for a stored one (its age is unknown). */
  #madeAt: number | null = null
  #loading: Promise<KeyHandle> | null = null

  readonly #host: PermKeyHost

  constructor(host: PermKeyHost) {
    this.#host = host
  }

  get key(): KeyHandle | null {
    return this.#handle
  }

  get isLoading(): boolean {
    return this.#loading !== null
  }

  /** The perm key, loaded or made on first use; concurrent callers share one attempt. */
  get(): Promise<KeyHandle> {
    if (this.#handle) return Promise.resolve(this.#handle)
    this.#loading ??= this.#loadOrMakeLocked().finally(() => {
      this.#loading = null
    })
    return this.#loading
  }

  /** Seconds since this client made the perm key; null for a stored one. */
  ageS(): number | null {
    return this.#madeAt === null ? null : (this.#host.now() - this.#madeAt) / 1000
  }

  /** Forgets the key here and in storage and zeroes it; returns what was dropped. */
  async drop(): Promise<KeyHandle | null> {
    const h = this.#host
    const perm = this.#handle
    this.#handle = null
    this.#madeAt = null
    await h.env.permKeys.delete(h.dcId)
    if (perm) {
      h.keys.drop(perm)
      h.hooks.keyEvent(h.event('dropped', perm))
    }
    return perm
  }

  #loadOrMakeLocked(): Promise<KeyHandle> {
    const storage = this.#host.env.permKeys
    const run = (): Promise<KeyHandle> => this.#loadOrMake()
    return storage.exclusive ? storage.exclusive(this.#host.dcId, run) : run()
  }

  async #loadOrMake(): Promise<KeyHandle> {
    const h = this.#host
    const stored = await h.keys.loadPerm(h.dcId, h.env.permKeys)
    if (stored) {
      this.#handle = stored
      h.hooks.changed()
      return stored
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await h.runHandshake({ kind: 'perm' }, 'perm-handshake')
        // pfs §1.2: nothing goes under the perm key but the bind, on a temp key's socket
        r.conn.close()
        const perm = h.keys.add(h.dcId, 'perm', r.authKey, r.serverTime, null)
        await h.keys.persistPerm(perm, h.env.permKeys)
        this.#handle = perm
        this.#madeAt = h.now()
        h.count('perm')
        h.hooks.keyEvent(h.event('created', perm))
        h.hooks.changed()
        return perm
      } catch (err) {
        h.setError(err)
        const next = permHandshakeRetry(attempt, () => h.rand())
        if (!next.retry || h.isStopped) {
          h.permFailed(err instanceof Error ? err : new EngineError('PERM_HANDSHAKE_FAILED', String(err)))
          throw err
        }
        await h.sleep(next.delayMs)
      }
    }
  }
}
