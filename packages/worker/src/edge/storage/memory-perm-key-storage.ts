import type { PermKeyStorage } from '../../env.ts'
import { checkDcId, checkPermKey } from './perm-key-checks.ts'

/**
 * The same contract as the IndexedDB storage, in memory, for tests and Node. It copies on
 * the way in and out, as IndexedDB does, so callers can zero their buffers freely.
 */
export function createMemoryPermKeyStorage(): PermKeyStorage {
  const keys = new Map<number, Uint8Array>()
  let home: number | undefined
  let powers: Uint8Array | undefined
  return {
    getDhPowers: async () => powers?.slice(),
    async setDhPowers(bytes) {
      powers = bytes.slice()
    },
    getHome: async () => home,
    async setHome(dcId) {
      checkDcId(dcId)
      home = dcId
    },
    async get(dcId) {
      checkDcId(dcId)
      return keys.get(dcId)?.slice()
    },
    async set(dcId, key) {
      checkDcId(dcId)
      checkPermKey(key)
      keys.set(dcId, key.slice())
    },
    async delete(dcId) {
      checkDcId(dcId)
      keys.get(dcId)?.fill(0)
      keys.delete(dcId)
    },
  }
}
