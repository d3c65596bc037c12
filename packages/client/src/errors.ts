import { PfsError } from '@pfs-web/errors'

/**
 * The caller's AbortSignal fired: code 'ABORTED'. The page rejects at once; the worker is
 * told through cancel(callId) and its late answer, if any, is dropped. `cause` is the
 * signal's reason.
 */
export class AbortedError extends PfsError {
  declare readonly code: 'ABORTED'
  constructor(message = 'call aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options)
  }
}

/**
 * upload() / download() refused the input or the answer before any server did. `code`
 * mirrors the API's error name where there is one (FILE_PART_SIZE_INVALID,
 * FILE_PARTS_INVALID, LIMIT_INVALID, LOCATION_INVALID); PARALLEL_INVALID, SIZE_REQUIRED, SIZE_INVALID, SIZE_MISMATCH,
 * BAD_ANSWER and CDN_REDIRECT are this client's own.
 */
export type TransferErrorCode =
  | 'FILE_PART_SIZE_INVALID'
  | 'FILE_PARTS_INVALID'
  | 'LIMIT_INVALID'
  | 'LOCATION_INVALID'
  | 'PARALLEL_INVALID'
  | 'SIZE_REQUIRED'
  | 'SIZE_INVALID'
  | 'SIZE_MISMATCH'
  | 'BAD_ANSWER'
  | 'CDN_REDIRECT'

export class TransferError extends PfsError {
  declare readonly code: TransferErrorCode
  /** `message` is the offending value; the code says what was wrong with it. */
  constructor(code: TransferErrorCode, message?: string) {
    super(code, message)
  }
}
