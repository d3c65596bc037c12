import { timingSafeEqual } from 'node:crypto'

/** How long an exported authorization may wait for its import (our choice: Telegram's is short too). */
export const EXPORT_TTL_SECONDS = 60
/** Exports kept at once; the oldest goes first, so a client exporting in a loop cannot grow memory. */
const MAX_EXPORTS = 256
const EXPORT_BYTES = 32

interface Exported {
  userId: bigint
  dc: number
  bytes: Buffer
  expiresAt: number
}

/**
 * Which user each perm key is signed in as (api/auth: an authorization belongs to the perm
 * key; its bound temp keys act for it), and the single-use tokens auth.exportAuthorization
 * hands out for auth.importAuthorization on the target DC (api/datacenter). In memory; a
 * `restart` fault keeps the sign-ins (as it keeps the perm keys) and drops the tokens.
 */
export class Authorizations {
  readonly #users = new Map<bigint, bigint>()
  readonly #exports = new Map<bigint, Exported>()

  userOf(permId: bigint): bigint | undefined {
    return this.#users.get(permId)
  }

  signIn(permId: bigint, userId: bigint): void {
    this.#users.set(permId, userId)
  }

  signOut(permId: bigint): void {
    this.#users.delete(permId)
  }

  /** A token for DC `dc`, good once within EXPORT_TTL_SECONDS. */
  export(userId: bigint, dc: number, now: number, random: (n: number) => Uint8Array): { id: bigint; bytes: Buffer } {
    const bytes = Buffer.from(random(EXPORT_BYTES))
    let id = bytes.readBigInt64LE(0)
    while (this.#exports.has(id)) id++
    this.#exports.set(id, { userId, dc, bytes, expiresAt: now + EXPORT_TTL_SECONDS })
    if (this.#exports.size > MAX_EXPORTS) this.#exports.delete(this.#exports.keys().next().value as bigint)
    return { id, bytes }
  }

  /**
   * The user a token signs in on DC `dc`, consuming it; null (AUTH_BYTES_INVALID) for an
   * unknown, used or expired token, wrong bytes, or a token made for another DC.
   */
  redeem(id: bigint, bytes: Uint8Array, dc: number, now: number): bigint | null {
    const e = this.#exports.get(id)
    if (e === undefined || e.expiresAt <= now || e.dc !== dc || e.bytes.length !== bytes.length || !timingSafeEqual(e.bytes, bytes)) return null
    this.#exports.delete(id)
    return e.userId
  }

  dropExports(): void {
    this.#exports.clear()
  }
}
