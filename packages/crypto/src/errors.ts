import { PfsError } from '@pfs-web/errors'

/**
 * Bad input to a crypto primitive (wrong key/IV/data length, unaligned data).
 * `code` names the check ('BAD_KEY_LENGTH', 'BAD_IV_LENGTH', 'NOT_BLOCK_ALIGNED',
 * 'BAD_LENGTH'); the message names the argument, never its bytes.
 */
export class CryptoError extends PfsError {
  declare readonly code: string
  constructor(code: string, message?: string) {
    super(code, message)
  }
}

/**
 * A received packet failed a security check (encryption.md §4): 'AUTH_KEY_ID_MISMATCH',
 * 'MSG_KEY_MISMATCH', 'BAD_LENGTH', 'BAD_PADDING'. The caller must drop the packet,
 * use nothing from it and reconnect.
 */
export class SecurityError extends PfsError {
  declare readonly code: string
  constructor(code: string, message?: string) {
    super(code, message)
  }
}
