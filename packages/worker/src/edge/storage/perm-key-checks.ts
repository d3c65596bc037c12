import { StorageError } from './errors.ts'

/** An auth key is 2048 bits (auth-key.md). */
export const PERM_KEY_LENGTH = 256

export function checkDcId(dcId: number): void {
  if (!Number.isSafeInteger(dcId) || dcId <= 0) throw new StorageError('BAD_DC_ID', 'dcId must be a positive integer')
}

export function checkPermKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== PERM_KEY_LENGTH) {
    throw new StorageError('BAD_KEY_LENGTH', `key must be a Uint8Array of ${PERM_KEY_LENGTH} bytes`)
  }
}
