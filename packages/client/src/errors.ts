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
