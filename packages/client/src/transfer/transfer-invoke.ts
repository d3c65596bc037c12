import type { PoolName } from '@pfs-web/worker'
import { AbortedError } from '../errors.ts'

/**
 * How transfers reach the engine: the client's invoke (through the worker) or, in the
 * benchmark, the same engine on the page thread. Aborting `signal` must reject the call
 * with AbortedError and cancel it in the engine.
 */
export type TransferInvoke = (request: Uint8Array, options: { pool: PoolName; dcId?: number; signal: AbortSignal }) => Promise<Uint8Array>

/** Every transfer's parts share one controller, aborted by the caller's signal or a failed part. */
export function linkedController(signal: AbortSignal | undefined): { controller: AbortController; unlink(): void } {
  const controller = new AbortController()
  const onAbort = (): void => controller.abort(signal?.reason)
  if (signal?.aborted) onAbort()
  signal?.addEventListener('abort', onAbort, { once: true })
  return { controller, unlink: () => signal?.removeEventListener('abort', onAbort) }
}

/** What a transfer rejects with once the caller's signal fired. */
export const abortedBy = (signal: AbortSignal): AbortedError => new AbortedError('transfer aborted', { cause: signal.reason })
