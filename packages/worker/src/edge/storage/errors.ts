import { PfsError } from '@pfs-web/errors'

/**
 * Perm-key storage refused its input or found a bad entry: 'BAD_DC_ID', 'BAD_KEY_LENGTH',
 * 'CORRUPT_ENTRY'. A corrupt entry is reported, never treated as "no key", so a broken
 * store cannot silently trigger a fresh perm-key handshake.
 */
export class StorageError extends PfsError {
  declare readonly code: string
  constructor(code: string, message?: string) {
    super(code, message)
  }
}
