import { PfsError } from '@pfs-web/errors'

/**
 * Bad input to a crypto primitive (wrong key/IV/data length, unaligned data).
 * `code` names the check ('BAD_KEY_LENGTH', 'BAD_IV_LENGTH', 'NOT_BLOCK_ALIGNED',
 * 'BAD_LENGTH'); the message names the argument, never its bytes.
 * Asymmetric side: 'BAD_PEM', 'NO_MATCHING_RSA_KEY', 'BAD_RSA_KEY', 'RSA_PAD_RETRIES',
 * 'PQ_NOT_FACTORABLE', 'BAD_MODULUS', 'NEGATIVE_EXPONENT', 'NEGATIVE_BIGINT', 'BIGINT_TOO_LONG'.
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
 * Server DH parameters (auth-key.md step 6.7–6.9): 'BAD_DH_PRIME', 'BAD_G',
 * 'G_A_OUT_OF_RANGE'; and 'G_B_OUT_OF_RANGE' if no client exponent lands in range.
 */
export class SecurityError extends PfsError {
  declare readonly code: string
  constructor(code: string, message?: string) {
    super(code, message)
  }
}
