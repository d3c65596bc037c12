import type { InnerForm } from '@pfs-web/control-client'
import type { DcRef } from '../handshake/dc.ts'
import { SaltBook } from '../session/salts.ts'

export interface PermKey {
  kind: 'perm'
  id: bigint
  key: Buffer
  dc: DcRef
  /** The P_Q_inner_data form that asked for it. */
  form: InnerForm
  createdAt: number
  salts: SaltBook
  messages: number
  apiCalls: number
}

/** A temp key in RAM only; `expiresAt` shrinks to the bind's expires_at when that is earlier. */
export interface TempKey {
  kind: 'temp'
  id: bigint
  key: Buffer
  dc: DcRef
  form: InnerForm
  createdAt: number
  /** The (capped) expires_in the handshake asked for. */
  expiresIn: number
  expiresAt: number
  boundTo: bigint | null
  /** Set by invokeWithLayer(initConnection) after the bind; reset on every bind (pfs §1.5). */
  inited: boolean
  layer: number | null
  salts: SaltBook
  messages: number
  apiCalls: number
}

export type AuthKey = PermKey | TempKey

const EXPIRED_MEMORY = 4096

/**
 * Which slot of a perm key a bound temp key fills. In 'replace' mode a perm key keeps one
 * bound temp key per slot (the documented rule); in 'many' mode slots only record the
 * newest binding.
 */
export function bindSlot(key: TempKey): string {
  return key.dc.media ? 'media' : 'main'
}

/**
 * Every auth key the server knows. Perm keys are persisted by the caller (`onPermAdded`);
 * temp keys vanish at `expiresAt` (checked on lookup, and swept by the edge).
 */
export class KeyStore {
  readonly perm = new Map<bigint, PermKey>()
  readonly temp = new Map<bigint, TempKey>()
  /** perm id → slot → temp id */
  private readonly bindings = new Map<bigint, Map<string, bigint>>()
  /** Temp keys that reached expires_at, newest last (bounded), to tell a late use from an unknown id. */
  private readonly expired = new Set<bigint>()

  get(id: bigint, now: number): AuthKey | undefined {
    const temp = this.temp.get(id)
    if (temp !== undefined) {
      if (temp.expiresAt <= now) {
        this.expire(id)
        return undefined
      }
      return temp
    }
    return this.perm.get(id)
  }

  /** True for a temp key id this store dropped at its expires_at (recently). */
  expiredRecently(id: bigint): boolean {
    return this.expired.has(id)
  }

  private expire(id: bigint): void {
    this.dropTemp(id)
    this.expired.add(id)
    if (this.expired.size > EXPIRED_MEMORY) this.expired.delete(this.expired.values().next().value as bigint)
  }

  has(id: bigint): boolean {
    return this.temp.has(id) || this.perm.has(id)
  }

  addPerm(key: PermKey): void {
    this.perm.set(key.id, key)
  }

  addTemp(key: TempKey): void {
    this.temp.set(key.id, key)
  }

  /**
   * Binds. With `replace`, the slot's previous temp key is dropped and its id returned;
   * otherwise it stays bound until it expires or auth.dropTempAuthKeys drops it.
   */
  bind(temp: TempKey, permId: bigint, expiresAt: number, replace: boolean): bigint | null {
    temp.boundTo = permId
    temp.expiresAt = Math.min(temp.expiresAt, expiresAt)
    temp.inited = false
    let slots = this.bindings.get(permId)
    if (slots === undefined) {
      slots = new Map()
      this.bindings.set(permId, slots)
    }
    const slot = bindSlot(temp)
    const previous = slots.get(slot)
    slots.set(slot, temp.id)
    if (replace && previous !== undefined && previous !== temp.id) {
      this.dropTemp(previous)
      return previous
    }
    return null
  }

  /** The temp key stays known but no longer bound: its API calls get 401 AUTH_KEY_PERM_EMPTY. */
  unbind(id: bigint): boolean {
    const key = this.temp.get(id)
    if (key === undefined || key.boundTo === null) return false
    const slots = this.bindings.get(key.boundTo)
    if (slots?.get(bindSlot(key)) === id) slots.delete(bindSlot(key))
    key.boundTo = null
    key.inited = false
    return true
  }

  dropTemp(id: bigint): boolean {
    const key = this.temp.get(id)
    if (key === undefined) return false
    this.temp.delete(id)
    if (key.boundTo !== null) {
      const slots = this.bindings.get(key.boundTo)
      const slot = bindSlot(key)
      if (slots?.get(slot) === id) slots.delete(slot)
    }
    key.key.fill(0)
    return true
  }

  /** Revokes a perm key and every temp key bound to it. */
  dropPerm(id: bigint): boolean {
    const key = this.perm.get(id)
    if (key === undefined) return false
    for (const t of this.boundTo(id)) this.dropTemp(t.id)
    this.perm.delete(id)
    this.bindings.delete(id)
    key.key.fill(0)
    return true
  }

  boundTo(permId: bigint): TempKey[] {
    return [...this.temp.values()].filter((t) => t.boundTo === permId)
  }

  sweep(now: number): bigint[] {
    const gone: bigint[] = []
    for (const t of this.temp.values()) if (t.expiresAt <= now) gone.push(t.id)
    for (const id of gone) this.expire(id)
    return gone
  }

  /** Restart: every temp key and binding is lost; perm keys are reloaded by the caller. */
  clear(): void {
    for (const id of [...this.temp.keys()]) this.dropTemp(id)
    this.perm.clear()
    this.bindings.clear()
  }
}
