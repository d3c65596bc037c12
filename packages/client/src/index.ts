export { createPfsClient } from './client.ts'
export type { CallOptions, ClientInvokeOptions, PfsClient, PfsClientOptions } from './client.ts'
export { defaultSharing, type Sharing } from './engine-link.ts'
export { AbortedError, TransferError, type TransferErrorCode } from './errors.ts'
export type { TransferMethods } from './transfer/transfer-methods.ts'
export type { UploadedFile, UploadOptions } from './transfer/upload.ts'
export type { DownloadOptions } from './transfer/download.ts'
export type { CodecRequest, CodecResult, PfsCodec, TypedCalls, TypedResults } from './typed-calls.ts'
export type { LogEvent, LogFields, LogLevel, PfsLogger } from './logger.ts'
export { FloodWaitError, PfsError, RpcError, TransportError, isPfsError } from '@pfs-web/errors'
export type { PfsErrorCode, PfsErrorShape } from '@pfs-web/errors'
// Every class the worker's errors are rebuilt as, so a page can branch with instanceof.
export { EngineError, HandshakeError, PacketError, StorageError, WireError } from '@pfs-web/worker'
export { CryptoError, SecurityError } from '@pfs-web/crypto'
export type {
  AppInfo,
  ConfigView,
  ConnectionStatus,
  DcAddress,
  DcStateView,
  ErrorView,
  KeyEvent,
  KeyEventKind,
  KeyEventListener,
  Last404View,
  LifecycleKind,
  NearestDcView,
  PoolName,
  StateListener,
  Unsubscribe,
  UpdateListener,
  WorkerOptions,
} from '@pfs-web/worker'
