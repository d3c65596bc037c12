import { PfsError } from '@pfs-web/errors'

/**
 * Why the server refused a transport stream: the connection is closed, the process lives
 * on. Codes: 'BAD_OBFUSCATION_TAG', 'FRAME_EMPTY', 'FRAME_TOO_LONG', 'BAD_FRAME_LENGTH',
 * 'PAYLOAD_TOO_SHORT'.
 */
export class ServerTransportError extends PfsError {}

/**
 * A failed handshake or envelope check. `code` names the check ('NONCE_MISMATCH',
 * 'RSA_HASH_MISMATCH', 'DC_INVALID', 'MSG_KEY_MISMATCH', …); the connection answers it
 * with a transport error (-404, or -444 for DC_INVALID) as auth-key.md §5 asks.
 */
export class ProtocolCheckError extends PfsError {
  declare readonly code: string
  constructor(code: string, message?: string) {
    super(code, message)
  }
}
