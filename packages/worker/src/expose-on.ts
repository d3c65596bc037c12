/**
 * Hosts a WorkerApi on one Comlink endpoint: `self` in a dedicated worker, each connect
 * port in a SharedWorker. Comlink's `expose()` would serve GET/SET on any property path of
 * whatever it is given, so it gets a frozen object of functions bound to the engine (never
 * the engine), behind an endpoint that lets only `APPLY <method>` and `RELEASE` through.
 * The per-call methods also run on a port of their own once the page opens one (call-port.ts).
 */
import { expose, proxy, type Endpoint } from 'comlink'
import type { WorkerApi, WorkerOptions } from './api.ts'
import { serveCalls } from './call-port.ts'
import { errorToWire, registerWireHandlers, releaseRemote, transferBytes, WireError } from './wire.ts'

type Listener<A extends unknown[]> = (...args: A) => void

/**
 * A listener from the other side is a Comlink proxy: calling it returns a promise that
 * rejects once the page's port is gone. Then the subscription is dropped, since nobody can
 * receive it any more.
 */
function subscribeRemote<A extends unknown[]>(
  remote: Listener<A>,
  subscribe: (listener: Listener<A>) => Promise<() => void>,
): Promise<() => void> {
  let unsubscribe: (() => void) | null = null
  let dropped = false
  const release = (): void => {
    if (dropped) return
    dropped = true
    unsubscribe?.()
    releaseRemote(remote)
  }
  const deliver = (...args: A): void => {
    if (dropped) return
    const delivered: unknown = remote(...args)
    if (delivered instanceof Promise) delivered.catch(release)
  }
  return subscribe(deliver).then((unsub) => {
    unsubscribe = unsub
    if (dropped) unsub()
    return proxy(release)
  })
}

export interface ExposeHooks {
  /** Runs before the engine's init, e.g. to pick the IndexedDB name from `storageName`. */
  beforeInit?(options: WorkerOptions): void
  /** Hears of each call port served and the page's tab lock, so a SharedWorker host can close them when the tab goes (tab-host.ts). */
  callPort?(port: MessagePort, tabLock?: string): void
}

/** What exposeOn serves: the engine's methods and the hand-over of a call port. */
export interface ExposedApi extends WorkerApi {
  /**
   * Serves the per-call methods on `port` too (call-port.ts); the page keeps the other end.
   * `tabLock`: a Web Lock the page holds for its lifetime (a SharedWorker host only).
   */
  openCallPort(port: MessagePort, tabLock?: string): void
}

/** The frozen, function-only face of an engine that Comlink is allowed to see. */
export function bindApi(engine: WorkerApi, hooks: ExposeHooks = {}): Readonly<ExposedApi> {
  const api: ExposedApi = {
    init: async (options) => {
      hooks.beforeInit?.(options)
      return engine.init(options)
    },
    connect: (dcId) => engine.connect(dcId),
    invoke: (request, options) => engine.invoke(request, options).then(transferBytes),
    cancel: (callId) => engine.cancel(callId),
    getConfig: (dcId) => engine.getConfig(dcId),
    getNearestDc: (dcId) => engine.getNearestDc(dcId),
    saveFilePart: (fileId, filePart, bytes, dcId, pool) => engine.saveFilePart(fileId, filePart, bytes, dcId, pool),
    getFile: (fileId, offset, limit, dcId, pool) => engine.getFile(fileId, offset, limit, dcId, pool).then(transferBytes),
    states: () => engine.states(),
    subscribe: (listener) => subscribeRemote(listener, (l) => engine.subscribe(l)),
    onUpdate: (listener) => subscribeRemote(listener, (l) => engine.onUpdate(l)),
    onKeyEvent: (listener) => subscribeRemote(listener, (l) => engine.onKeyEvent(l)),
    rotateNow: (dcId) => engine.rotateNow(dcId),
    lifecycle: (kind) => engine.lifecycle(kind),
    logout: (dcId) => engine.logout(dcId),
    close: () => engine.close(),
    openCallPort: (port, tabLock) => {
      if (!(port instanceof MessagePort)) throw new WireError('BAD_PORT', 'openCallPort takes a MessagePort')
      serveCalls(port, api)
      hooks.callPort?.(port, typeof tabLock === 'string' ? tabLock : undefined)
    },
  }
  return Object.freeze(api)
}

function isAllowed(data: unknown, methods: ReadonlySet<string>): boolean {
  if (typeof data !== 'object' || data === null || !('type' in data)) return false
  if (data.type === 'RELEASE') return true
  if (data.type !== 'APPLY' || !('path' in data) || !Array.isArray(data.path) || data.path.length !== 1) return false
  const method: unknown = data.path[0]
  return typeof method === 'string' && methods.has(method)
}

function messageId(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || !('id' in data)) return null
  return typeof data.id === 'string' ? data.id : null
}

type MessageListener = (event: MessageEvent) => void

/**
 * Passes Comlink's method calls and answers anything else with a WireError('NOT_EXPOSED'),
 * in Comlink's reply format, so a stray caller fails fast instead of hanging.
 */
export function guardEndpoint(endpoint: Endpoint, methods: ReadonlySet<string>): Endpoint {
  const guards = new Map<EventListenerOrEventListenerObject, MessageListener>()
  const refuse = (id: string): void => {
    const error = new WireError('NOT_EXPOSED', 'only method calls are served')
    endpoint.postMessage({ id, type: 'HANDLER', name: 'throw', value: errorToWire(error) })
  }
  return {
    postMessage: (message, transfer) => endpoint.postMessage(message, transfer),
    addEventListener(type, listener, options) {
      if (type !== 'message') return endpoint.addEventListener(type, listener, options)
      const guard: MessageListener = (event) => {
        if (isAllowed(event.data, methods)) {
          if (typeof listener === 'function') listener(event)
          else listener.handleEvent(event)
          return
        }
        const id = messageId(event.data)
        if (id !== null) refuse(id)
      }
      guards.set(listener, guard)
      endpoint.addEventListener('message', guard as EventListener, options)
    },
    removeEventListener(type, listener, options) {
      const guard = type === 'message' ? guards.get(listener) : undefined
      guards.delete(listener)
      endpoint.removeEventListener(type, (guard as EventListener | undefined) ?? listener, options)
    },
    start: endpoint.start ? () => endpoint.start?.() : undefined,
  }
}

/** Serves `engine` on `endpoint`. Call once per endpoint. */
export function exposeOn(endpoint: Endpoint, engine: WorkerApi, hooks: ExposeHooks = {}): void {
  registerWireHandlers()
  const api = bindApi(engine, hooks)
  expose(api, guardEndpoint(endpoint, new Set(Object.keys(api))))
}
