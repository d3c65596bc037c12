export { createPfsClient } from './client.ts'
export type { CallOptions, ClientInvokeOptions, PfsClient, PfsClientOptions } from './client.ts'
export { AbortedError } from './errors.ts'
export { PfsError, RpcError, TransportError, isPfsError } from '@pfs-web/errors'
export type {
  ConfigView,
  ConnectionStatus,
  DcStateView,
  KeyEvent,
  KeyEventListener,
  NearestDcView,
  StateListener,
  Unsubscribe,
  UpdateListener,
  WorkerOptions,
} from '@pfs-web/worker'
