/**
 * The one writer of a DC's temp-key lanes (issue #12): which lanes exist, which one carries
 * new calls, and dropping one, which closes its connection and zeroes its key.
 */
import type { KeyHandle, KeyStore } from '../../keys/key-store.ts'
import type { Connection, ConnectionPurpose } from '../transport/connection.ts'
import type { Lane } from './lane.ts'

export type MakeLane = (key: KeyHandle, serverSalt: bigint, purpose: ConnectionPurpose, conn: Connection) => Lane

export class KeyLanes {
  readonly #byId = new Map<string, Lane>()
  #trafficNow: Lane | null = null

  readonly #keys: KeyStore
  readonly #make: MakeLane

  constructor(
    keys: KeyStore,
    make: MakeLane,
  ) {
    this.#keys = keys
    this.#make = make
  }

  /** Every temp key the DC holds, by key id hex: traffic, next and retiring. */
  get all(): ReadonlyMap<string, Lane> {
    return this.#byId
  }

  /** The lane new calls go out on (bound), or null while there is none. */
  get traffic(): Lane | null {
    return this.#trafficNow
  }

  /**
   * A lane for a new temp key on `conn`, the connection its handshake ran on (issue #17):
   * `next-temp` while another key carries traffic.
   */
  add(key: KeyHandle, serverSalt: bigint, conn: Connection): Lane {
    const lane = this.#make(key, serverSalt, this.#trafficNow ? 'next-temp' : 'main', conn)
    this.#byId.set(key.idHex, lane)
    return lane
  }

  /** New calls go to this key's lane from now on; null (or a key without a lane) holds them. */
  switchTo(keyId: string | null): Lane | null {
    this.#trafficNow = keyId === null ? null : (this.#byId.get(keyId) ?? null)
    return this.#trafficNow
  }

  /** Closes the lane for good and zeroes its key; null when there was none. */
  drop(keyId: string): Lane | null {
    const lane = this.#byId.get(keyId)
    if (!lane) return null
    this.#byId.delete(keyId)
    lane.close()
    if (this.#trafficNow === lane) this.#trafficNow = null
    this.#keys.drop(lane.key)
    return lane
  }

  /** Whether another lane's session sent `msgId` recently (msg_ids must be unique in the DC). */
  msgIdInUse(lane: Lane, msgId: bigint): boolean {
    for (const other of this.#byId.values()) if (other !== lane && other.session.sentRecently(msgId)) return true
    return false
  }
}
