export type {
  AppInfo,
  ConfigView,
  ConnectionStatus,
  DcAddress,
  DcStateView,
  ErrorView,
  InvokeOptions,
  KeyEvent,
  KeyEventKind,
  LifecycleKind,
  KeyEventListener,
  Last404View,
  NearestDcView,
  PoolName,
  StateListener,
  Unsubscribe,
  UpdateListener,
  WorkerApi,
  WorkerOptions,
} from './api.ts'
export type { CancelTimer, EngineClock, EngineEnv, PermKeyStorage, SocketLike } from './env.ts'
export { EngineError, HandshakeError, PacketError } from './errors.ts'
export { StorageError } from './edge/storage/errors.ts'
export { createEngine } from './engine.ts'
export { createBrowserEnv, openWebSocket } from './browser-env.ts'
export { createSharedWorker, createWorker } from './create-worker.ts'
export { bindApi, exposeOn, guardEndpoint } from './expose-on.ts'
export type { ExposeHooks, ExposedApi } from './expose-on.ts'
export { ANSWER_OK, type CallMethod } from './call-port.ts'
export { PortBatch, batchItems } from './port-batch.ts'
export { WireError, errorFromWire, errorToWire, registerErrorClass, registerWireHandlers, ownedBytes, releaseRemote, thrownFromWire, thrownToWire, transferBytes } from './wire.ts'
export { DEFAULT_STORAGE_NAME, PERM_KEY_STORE_NAME, createIdbPermKeyStorage } from './edge/storage/perm-key-storage.ts'
export { createMemoryPermKeyStorage } from './edge/storage/memory-perm-key-storage.ts'
