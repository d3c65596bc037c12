/**
 * Perm keys in IndexedDB through idb-keyval, one entry per DC (pfs §1.1), the home DC's
 * number and the DH group's public fixed-base powers. No other key is ever written here: temp keys live in worker RAM and die with it. The store is created
 * per database name and passed to each call (no hidden default store); idb-keyval opens the
 * database on first use and forgets it when the browser closes it.
 */
import { createStore, del, get, set, type UseStore } from 'idb-keyval'
import type { PermKeyStorage } from '../../env.ts'
import { StorageError } from './errors.ts'
import { PERM_KEY_LENGTH, checkDcId, checkPermKey } from './perm-key-checks.ts'

export type { PermKeyStorage } from '../../env.ts'

export const PERM_KEY_STORE_NAME = 'perm-keys'
/** The IndexedDB database when WorkerOptions.storageName is not given. */
export const DEFAULT_STORAGE_NAME = 'pfs-web'
/** The home DC's entry: a string key, so it never meets a perm key's numeric DC id. */
const HOME_KEY = 'home-dc'
/** The DH group's fixed-base powers (public data; the engine checks them on load). */
const DH_POWERS_KEY = 'dh-powers'

/**
 * `dbName` may be a function: the worker learns the name from init(options.storageName),
 * after the engine and its storage were built, so the name is read at each operation.
 */
export function createIdbPermKeyStorage(dbName: string | (() => string)): PermKeyStorage {
  const nameOf = typeof dbName === 'string' ? () => dbName : dbName
  const stores = new Map<string, UseStore>()
  const store = (): UseStore => {
    const name = nameOf()
    let s = stores.get(name)
    if (!s) stores.set(name, (s = createStore(name, PERM_KEY_STORE_NAME)))
    return s
  }
  return {
    get: (dcId) => getPermKey(store(), dcId),
    set: (dcId, key) => setPermKey(store(), dcId, key),
    delete: (dcId) => deletePermKey(store(), dcId),
    // the engine uses it only when it names a DC of WorkerOptions.dcs
    getHome: () => get<number>(HOME_KEY, store()),
    async setHome(dcId) {
      checkDcId(dcId)
      await set(HOME_KEY, dcId, store())
    },
    getDhPowers: () => get(DH_POWERS_KEY, store()),
    setDhPowers: (bytes) => set(DH_POWERS_KEY, bytes, store()),
    exclusive: <T>(dcId: number, fn: () => Promise<T>): Promise<T> => {
      // Web Locks are shared by every tab and worker of the origin; without them (very old
      // browsers) two tabs may still race, as before.
      const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
      return locks ? (locks.request(`${nameOf()}:${PERM_KEY_STORE_NAME}:${dcId}`, fn) as Promise<T>) : fn()
    },
  }
}

export async function getPermKey(store: UseStore, dcId: number): Promise<Uint8Array | undefined> {
  checkDcId(dcId)
  const value: unknown = await get(dcId, store)
  if (value === undefined) return undefined
  if (!(value instanceof Uint8Array) || value.length !== PERM_KEY_LENGTH) {
    throw new StorageError('CORRUPT_ENTRY', `perm key entry for DC ${dcId} is not ${PERM_KEY_LENGTH} bytes`)
  }
  return value
}

export async function setPermKey(store: UseStore, dcId: number, key: Uint8Array): Promise<void> {
  checkDcId(dcId)
  checkPermKey(key)
  // IndexedDB clones the bytes, so a later fill(0) by the key store cannot corrupt the entry.
  await set(dcId, key, store)
}

export async function deletePermKey(store: UseStore, dcId: number): Promise<void> {
  checkDcId(dcId)
  await del(dcId, store)
}
