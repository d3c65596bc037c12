/**
 * The error base shared by every package. `code` mirrors the protocol (an rpc_error
 * code, a transport error, or a named check) so callers branch on it, never on text,
 * and so an error can cross the worker boundary as plain data and be rebuilt.
 */
export type PfsErrorCode = string | number

export interface PfsErrorShape {
  name: string
  code: PfsErrorCode
  message: string
}

export class PfsError extends Error {
  readonly code: PfsErrorCode

  constructor(code: PfsErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? String(code), options)
    this.code = code
    this.name = new.target.name
  }

  toJSON(): PfsErrorShape {
    return { name: this.name, code: this.code, message: this.message }
  }
}

/** An rpc_error from the server: `code` is error_code (401), `message` is error_message. */
export class RpcError extends PfsError {
  declare readonly code: number
  constructor(code: number, message: string) {
    super(code, message)
  }
}

/**
 * A transport-level failure: a negative code is a 4-byte transport error from the
 * server (-404, -429, -444); string codes name local causes ('CLOSED', 'TIMEOUT').
 */
export class TransportError extends PfsError {}

export function isPfsError(value: unknown): value is PfsError {
  return value instanceof PfsError
}

const WAIT_SECONDS = /_WAIT_(\d+)$/

/**
 * 420 FLOOD_WAIT_X / FLOOD_PREMIUM_WAIT_X that the engine did not wait out: X was above
 * the embedder's cap or past the call's deadline. `seconds` is read from the message, so
 * the error crosses the worker boundary as plain {name, code, message} and keeps it.
 */
export class FloodWaitError extends RpcError {
  declare readonly code: 420
  constructor(code: number, message: string) {
    super(code, message)
  }

  /** How long the server asked to wait before the next such call. */
  get seconds(): number {
    return Number(WAIT_SECONDS.exec(this.message)?.[1] ?? 0)
  }
}
