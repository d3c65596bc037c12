export { FloodWaitError, PfsError, RpcError, TransportError, isPfsError } from './errors.ts'
export type { PfsErrorCode, PfsErrorShape } from './errors.ts'
