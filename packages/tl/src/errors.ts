import { PfsError } from '@pfs-web/errors'

/**
 * Every way a TL buffer or value can be rejected. Callers and tests branch on the
 * code; the message only adds an offset or a name for humans.
 */
export type TlErrorCode =
  | 'TRUNCATED' // a read past the end of the current bound
  | 'UNKNOWN_CONSTRUCTOR' // an id the schema does not know, outside an Object/!X position
  | 'UNEXPECTED_CONSTRUCTOR' // a known id of the wrong type for a typed field
  | 'LENGTH_PAST_END' // a bytes/string or message length prefix beyond the bound
  | 'VECTOR_TOO_LONG' // a vector count that cannot fit in the remaining bytes
  | 'BAD_BOOL' // a Bool that is neither boolTrue nor boolFalse
  | 'BAD_VALUE' // a value out of range for its wire type, or a missing field
  | 'BAD_LENGTH' // a length-delimited body not consumed exactly (message.bytes)
  | 'BYTES_TOO_LONG' // bytes/string of 2^24 bytes or more on write
  | 'TOO_DEEP' // nesting deeper than MAX_DEPTH
  | 'TRAILING_BYTES' // bytes left after a whole-buffer decode
  | 'GZIP_TOO_LARGE' // inflated output over the cap
  | 'GZIP_BUDGET' // inflated output of every unpack in flight together over their shared budget
  | 'GZIP_INVALID' // not a valid gzip/zlib/deflate stream

export class TlError extends PfsError {
  declare readonly code: TlErrorCode

  constructor(code: TlErrorCode, message?: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/** Objects nest at most this deep (rpc_result → gzip → wrappers → JSON values). */
export const MAX_DEPTH = 64
