/**
 * The page side of the engine worker. Everything secret stays in the worker; the page gets
 * views, payload bytes and typed errors (rebuilt by the worker package's wire handlers).
 */
import { transfer, wrap, type Endpoint, type Remote } from 'comlink'
import { TransportError } from '@pfs-web/errors'
import {
  registerErrorClass,
  ownedBytes,
  registerWireHandlers,
  releaseRemote,
  type CallMethod,
  type ConfigView,
  type DcStateView,
  type ExposedApi,
  type KeyEvent,
  type KeyEventListener,
  type LifecycleKind,
  type NearestDcView,
  type PoolName,
  type StateListener,
  type Unsubscribe,
  type UpdateListener,
  type WorkerOptions,
} from '@pfs-web/worker'
import { CallChannel } from './call-channel.ts'
import { defaultSharing, openEngine, type EngineLink, type Sharing } from './engine-link.ts'
import { AbortedError } from './errors.ts'
import { createLeaderClient } from './leader-client.ts'
import { ListenerHub } from './listener-hub.ts'
import { watchPage } from './page-lifecycle.ts'
import { PendingCalls } from './pending-calls.ts'
import { transferMethods, type TransferMethods } from './transfer/transfer-methods.ts'
import { logErrors, logKeyEvent, type PfsLogger } from './logger.ts'
import { typedCalls, type PfsCodec, type TypedCalls } from './typed-calls.ts'

export interface PfsClientOptions extends WorkerOptions {
  /**
   * The engine to talk to: a started Worker, or any Comlink endpoint (a MessagePort, a
   * recording wrapper in tests). Default: the one `sharing` picks.
   */
  worker?: Worker | Endpoint
  /**
   * Without `worker`: 'shared-worker' serves every tab of this origin and `storageName`
   * from one engine in a SharedWorker (one perm key, one connection set, temp keys in its
   * memory only); 'leader' does the same from the dedicated worker of one tab elected with
   * Web Locks, the next tab taking over when it goes; 'none' starts a dedicated worker per
   * client. Default: 'shared-worker' where SharedWorker and Web Locks exist, else 'leader'
   * where Web Locks and BroadcastChannel do, else 'none'.
   */
  sharing?: Sharing
  /** How long close() lets the engine wind down before terminating the worker (ms). */
  closeGraceMs?: number
  /**
   * Errors no call can return: a listener that threw, a subscription the worker refused, a
   * worker failure after start. Default: rethrown asynchronously (the page's error event).
   */
  onError?: (error: unknown) => void
  /**
   * Hears, from the worker, what happens to keys and connections (key created / bound /
   * rotated / dropped, -404, reconnect, flood wait) with key ids, never key bytes; and, as
   * 'client-error', what `onError` gets.
   */
  logger?: PfsLogger
}

export interface CallOptions {
  dcId?: number
  /** Which of the DC's connections carries the call: invoke defaults to 'main', the file helpers to 'upload' / 'download'. */
  pool?: PoolName
}

export interface ClientInvokeOptions extends CallOptions {
  /** Aborting rejects with AbortedError ('ABORTED') and cancels the call in the worker. */
  signal?: AbortSignal
  /** Per-call deadline enforced by the worker (ms). */
  timeoutMs?: number
}

export interface PfsClient extends TransferMethods {
  /** Resolves once the worker accepted the options; rejects with init's error. */
  readonly ready: Promise<void>
  connect(dcId?: number): Promise<DcStateView>
  /** `request` (boxed TL) is moved to the worker: the caller's buffer is detached. */
  invoke(request: Uint8Array, options?: ClientInvokeOptions): Promise<Uint8Array>
  getConfig(dcId?: number): Promise<ConfigView>
  getNearestDc(dcId?: number): Promise<NearestDcView>
  /** `bytes` is moved to the worker: the caller's buffer is detached. */
  saveFilePart(fileId: bigint, filePart: number, bytes: Uint8Array, options?: CallOptions): Promise<boolean>
  getFile(fileId: bigint, offset: number, limit: number, options?: CallOptions): Promise<Uint8Array>
  states(): Promise<DcStateView[]>
  /** Every DC's state view on each change. */
  subscribe(listener: StateListener): Unsubscribe
  onUpdate(listener: UpdateListener): Unsubscribe
  onKeyEvent(listener: KeyEventListener): Unsubscribe
  rotateNow(dcId?: number): Promise<void>
  /** Every started connection of every DC reopens or is checked now, its backoff reset. */
  reconnect(): Promise<void>
  /**
   * Tells the engine of a change it cannot see itself (the client already forwards the
   * page's visibilitychange, freeze and resume; the worker hears online/offline).
   */
  lifecycle(kind: LifecycleKind): Promise<void>
  logout(dcId?: number): Promise<void>
  /** Rejects pending calls with TransportError('CLOSED') and terminates the worker. */
  close(): Promise<void>
}

const DEFAULT_CLOSE_GRACE_MS = 1000

function rethrowAsync(error: unknown): void {
  queueMicrotask(() => {
    throw error
  })
}

function isWorker(endpoint: Worker | Endpoint): endpoint is Worker {
  return 'terminate' in endpoint && typeof endpoint.terminate === 'function'
}

function abortedError(signal: AbortSignal): AbortedError {
  return new AbortedError('call aborted', { cause: signal.reason })
}

/** With `codec`, `client.call(request)` is typed by it (typed-calls.ts); `invoke` stays raw. */
export function createPfsClient<C extends PfsCodec<never>>(options: PfsClientOptions & { codec: C }): PfsClient & TypedCalls<C>
export function createPfsClient(options: PfsClientOptions): PfsClient
export function createPfsClient(options: PfsClientOptions & { codec?: PfsCodec<never> }): PfsClient {
  const { codec, logger, ...rest } = options
  const client = openClient(logger ? { ...rest, onError: logErrors(logger, rest.onError ?? rethrowAsync) } : rest)
  if (logger) client.onKeyEvent(logKeyEvent(logger))
  return codec ? Object.assign(client, typedCalls(codec, client.invoke)) : client
}

function openClient(options: PfsClientOptions): PfsClient {
  const { worker, sharing = defaultSharing(), closeGraceMs = DEFAULT_CLOSE_GRACE_MS, onError = rethrowAsync, ...workerOptions } = options
  if (!worker && sharing === 'leader') {
    return createLeaderClient(workerOptions.storageName, onError, () => openClient({ ...options, sharing: 'none' }))
  }
  registerWireHandlers()
  registerErrorClass(AbortedError)
  const link: EngineLink | null = worker ? null : openEngine(sharing, workerOptions.storageName)
  const endpoint = worker ?? (link as EngineLink).endpoint
  const remote: Remote<ExposedApi> = wrap<ExposedApi>(endpoint)
  // Comlink sets the session up and carries listeners; the per-call methods take a port of
  // their own with flat messages (#17, a thinner boundary: call-port.ts in the worker).
  const { port1, port2 } = new MessageChannel()
  const channel = new CallChannel(port1)
  const calls = new PendingCalls()
  const failAll = (error: unknown): void => {
    calls.failAll(error)
    channel.failAll(error)
  }
  let initialised = false
  let closing: Promise<void> | null = null

  const ready = calls
    .track(() =>
      Promise.all([
        (link?.tabLock ?? Promise.resolve(undefined)).then((tabLock) => remote.openCallPort(transfer(port2, [port2]), tabLock)),
        remote.init(workerOptions),
      ]),
    )
    .then(() => {
      initialised = true
    })
  // Every method awaits `ready` and rethrows its error; this only keeps an unobserved
  // `ready` from being reported as an unhandled rejection as well.
  ready.catch(() => undefined)

  const onWorkerError = (message: string): void => {
    const error = new TransportError('WORKER_FAILED', message || 'worker error')
    // Before init answers, an error event means the worker never started (bad script).
    if (initialised) onError(error)
    else failAll(error)
  }
  if (link) link.onError(onWorkerError)
  else if (isWorker(endpoint)) endpoint.addEventListener('error', (event) => onWorkerError(event.message))

  const call = <T>(fn: () => Promise<T>): Promise<T> => calls.track(() => ready.then(fn))
  /** Runs `go` at once when init has answered, else after `ready` (and tracked until then). */
  const whenReady = <T>(go: () => Promise<T>): Promise<T> => (initialised ? go() : call(go))
  /** A per-call method on the call port. */
  const send = <T>(method: CallMethod, ...args: unknown[]): Promise<T> => whenReady(() => channel.call<T>(method, args))

  const states = new ListenerHub<Parameters<StateListener>>((deliver) => call(() => remote.subscribe(deliver)), onError, true)
  const updates = new ListenerHub<Parameters<UpdateListener>>((deliver) => call(() => remote.onUpdate(deliver)), onError)
  const keyEvents = new ListenerHub<[KeyEvent]>((deliver) => call(() => remote.onKeyEvent(deliver)), onError)
  const hubs = [states, updates, keyEvents]

  function invoke(request: Uint8Array, { dcId, pool, signal, timeoutMs }: ClientInvokeOptions = {}): Promise<Uint8Array> {
    if (signal?.aborted) return Promise.reject(abortedError(signal))
    // Only a call that can be aborted needs an id to cancel it by.
    const callId = signal ? crypto.randomUUID() : undefined
    let aborted = false
    let sent = false
    const pending = whenReady(() => {
      // Aborted while waiting for init: the request never leaves the page.
      if (aborted) return Promise.reject(new AbortedError())
      sent = true
      const moved = ownedBytes(request)
      return channel.call<Uint8Array>('invoke', [moved, { dcId, pool, callId, timeoutMs }], [moved.buffer])
    })
    if (!signal) return pending
    return new Promise<Uint8Array>((resolve, reject) => {
      const onAbort = (): void => {
        aborted = true
        reject(abortedError(signal))
        // A cancel the closing client could not deliver is moot: close() cancels everything.
        if (sent) send('cancel', callId).catch((error: unknown) => closing === null && onError(error))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  const unwatchPage = watchPage((kind) => {
    if (initialised) remote.lifecycle(kind).catch(onError)
  })

  async function shutDown(): Promise<void> {
    unwatchPage()
    failAll(new TransportError('CLOSED', 'client closed'))
    for (const hub of hubs) hub.clear()
    let timer: ReturnType<typeof setTimeout> | undefined
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, closeGraceMs)))
    // The engine's close zeroes keys and says goodbye to the server; a wedged engine must
    // not keep the page waiting, and terminate() frees its memory either way.
    await Promise.race([remote.close().catch(onError), grace])
    clearTimeout(timer)
    if (link) link.end()
    else if (isWorker(endpoint)) endpoint.terminate()
    else releaseRemote(remote)
  }

  return {
    ready,
    connect: (dcId) => send('connect', dcId),
    invoke,
    ...transferMethods(invoke),
    getConfig: (dcId) => send('getConfig', dcId),
    getNearestDc: (dcId) => send('getNearestDc', dcId),
    saveFilePart: (fileId, filePart, bytes, { dcId, pool } = {}) =>
      whenReady(() => {
        const moved = ownedBytes(bytes)
        return channel.call<boolean>('saveFilePart', [fileId, filePart, moved, dcId, pool], [moved.buffer])
      }),
    getFile: (fileId, offset, limit, { dcId, pool } = {}) => send('getFile', fileId, offset, limit, dcId, pool),
    states: () => send('states'),
    subscribe: (listener) => states.add(listener),
    onUpdate: (listener) => updates.add(listener),
    onKeyEvent: (listener) => keyEvents.add(listener),
    rotateNow: (dcId) => call(() => remote.rotateNow(dcId)),
    reconnect: () => call(() => remote.lifecycle('reconnect')),
    lifecycle: (kind) => call(() => remote.lifecycle(kind)),
    logout: (dcId) => call(() => remote.logout(dcId)),
    close: () => (closing ??= shutDown()),
  }
}
