/**
 * One engine for every tab where SharedWorker is missing (#15, e.g. Chrome on Android).
 * Every tab queues for one Web Lock per storage name; the tab holding it leads: it runs
 * the engine in its own dedicated worker and serves the other tabs' calls, which reach it
 * as plain messages on a BroadcastChannel (that channel cannot carry MessagePorts).
 *
 * When the leader's tab goes, the lock passes at once to the next tab in the queue, which
 * starts its own engine: the perm key from storage, new temp keys (the old ones died with
 * the old tab's memory, as they should). It announces itself and every tab sends again
 * the calls the old leader had not answered, so none is lost. A call is answered at most
 * once to its tab; one the old leader ran but could not answer runs again. A follower's
 * call always finds a leader: its own tab is in the queue, so while it lives someone leads.
 */
import { TransportError } from '@pfs-web/errors'
import { registerErrorClass, registerWireHandlers, thrownFromWire, thrownToWire, type DcStateView, type KeyEvent } from '@pfs-web/worker'
import type { ClientInvokeOptions, PfsClient } from './client.ts'
import { AbortedError } from './errors.ts'
import { transferMethods } from './transfer/transfer-methods.ts'

type Method = 'connect' | 'invoke' | 'getConfig' | 'getNearestDc' | 'saveFilePart' | 'getFile' | 'states' | 'rotateNow' | 'lifecycle' | 'logout'
type Stream = 'state' | 'update' | 'key'

type Message =
  | { t: 'call'; from: string; id: number; m: Method; a: unknown[] }
  | { t: 'cancel'; from: string; id: number }
  | { t: 'answer'; to: string; id: number; ok: boolean; v: unknown }
  | { t: 'event'; k: Stream; a: unknown[] }
  | { t: 'leader' }

interface Waiting {
  m: Method
  a: unknown[]
  /** The caller's signal, kept so a call this tab runs itself after becoming leader can still be aborted. */
  signal?: AbortSignal
  resolve(value: unknown): void
  reject(error: unknown): void
}

type Listener = (...args: never[]) => void

/** How many answered call keys a leader remembers: far more than a follower can have waiting across one hand-over. */
const ANSWERED_KEPT = 4096

/** Runs `m` on the leader's own client; an invoke's signal comes from the caller or a follower's cancel. */
function run(client: PfsClient, m: Method, a: unknown[], signal?: AbortSignal): Promise<unknown> {
  if (m === 'invoke') return client.invoke(a[0] as Uint8Array, { ...(a[1] as ClientInvokeOptions), signal })
  return (client[m] as (...args: unknown[]) => Promise<unknown>)(...a)
}

/** `startEngine` makes this tab's own engine client, once it leads. */
export function createLeaderClient(storageName = '', onError: (error: unknown) => void, startEngine: () => PfsClient): PfsClient {
  registerWireHandlers()
  registerErrorClass(AbortedError)
  const me = crypto.randomUUID()
  const channel = new BroadcastChannel(`pfs-web-tabs:${storageName}`)
  const quit = new AbortController()
  const waiting = new Map<number, Waiting>()
  const serving = new Map<string, AbortController>()
  /** Calls this leader answered lately: a follower resends on every 'leader', and a call must not run twice. */
  const answered = new Set<string>()
  const listeners: Record<Stream, Set<Listener>> = { state: new Set(), update: new Set(), key: new Set() }
  let local: PfsClient | null = null
  let leaving = false
  let closed = false
  let next = 0
  let stepDown = (): void => undefined

  const post = (message: Message): void => channel.postMessage(message)
  const emit = (k: Stream, a: unknown[]): void => {
    for (const l of [...listeners[k]]) {
      try {
        ;(l as (...args: unknown[]) => void)(...a)
      } catch (error) {
        onError(error)
      }
    }
  }
  const send = (id: number, w: Waiting): void => post({ t: 'call', from: me, id, m: w.m, a: w.a })

  /** Serves one follower call; a leader on its way out answers nothing, so the call goes again to the next one. */
  function serve(from: string, id: number, m: Method, a: unknown[]): void {
    const key = `${from}:${id}`
    if (serving.has(key) || answered.has(key)) return
    const abort = new AbortController()
    serving.set(key, abort)
    const answer = (ok: boolean, v: unknown): void => {
      serving.delete(key)
      if (leaving) return
      answered.add(key)
      if (answered.size > ANSWERED_KEPT) answered.delete(answered.values().next().value as string)
      post({ t: 'answer', to: from, id, ok, v })
    }
    run(local as PfsClient, m, a, abort.signal).then(
      (v) => answer(true, v),
      (error: unknown) => answer(false, thrownToWire(error)),
    )
  }

  channel.onmessage = ({ data }: MessageEvent<Message>) => {
    if (data.t === 'answer') {
      const w = data.to === me ? waiting.get(data.id) : undefined
      if (!w) return
      waiting.delete(data.id)
      if (data.ok) w.resolve(data.v)
      else w.reject(thrownFromWire(data.v))
    } else if (data.t === 'event') {
      if (!local) emit(data.k, data.a)
    } else if (data.t === 'leader') {
      if (!local) waiting.forEach((w, id) => send(id, w))
    } else if (local && !leaving) {
      if (data.t === 'call') serve(data.from, data.id, data.m, data.a)
      else serving.get(`${data.from}:${data.id}`)?.abort()
    }
  }

  // Lead once every tab queued before us has gone.
  navigator.locks
    .request(`pfs-web-leader:${storageName}`, { signal: quit.signal }, () => {
      // A grant already queued when close() ran: lead nothing, let the next tab have the lock.
      if (closed) return
      const client = startEngine()
      local = client
      const relay = (k: Stream) => (...a: unknown[]) => {
        emit(k, a)
        post({ t: 'event', k, a })
      }
      client.subscribe(relay('state'))
      client.onUpdate(relay('update'))
      client.onKeyEvent(relay('key'))
      post({ t: 'leader' })
      // This tab's own calls that the old leader never answered run here now.
      for (const [id, w] of waiting) {
        waiting.delete(id)
        run(client, w.m, w.a, w.signal).then(w.resolve, w.reject)
      }
      return new Promise<void>((resolve) => (stepDown = resolve))
    })
    .catch(() => undefined)

  function route<T>(m: Method, a: unknown[], signal?: AbortSignal): Promise<T> {
    if (closed) return Promise.reject(new TransportError('CLOSED', 'client closed'))
    if (local) return run(local, m, a, signal) as Promise<T>
    const id = ++next
    return new Promise<T>((resolve, reject) => {
      const w: Waiting = { m, a, signal, resolve: resolve as (v: unknown) => void, reject }
      waiting.set(id, w)
      send(id, w)
      signal?.addEventListener('abort', () => {
        if (!waiting.delete(id)) return
        reject(new AbortedError('call aborted', { cause: signal.reason }))
        post({ t: 'cancel', from: me, id })
      })
    })
  }

  /** Each add has its own entry, so a listener added twice is called twice and unsubscribed once per add. */
  function listen(k: Stream, entry: Listener): () => void {
    listeners[k].add(entry)
    return () => void listeners[k].delete(entry)
  }

  const invoke: PfsClient['invoke'] = (request, { dcId, pool, timeoutMs, signal } = {}) => {
    if (signal?.aborted) return Promise.reject(new AbortedError('call aborted', { cause: signal.reason }))
    return route('invoke', [request, { dcId, pool, timeoutMs }], signal)
  }

  const ready = route<DcStateView[]>('states', []).then(() => undefined)
  ready.catch(() => undefined)

  return {
    ready,
    connect: (dcId) => route('connect', [dcId]),
    invoke,
    ...transferMethods(invoke),
    getConfig: (dcId) => route('getConfig', [dcId]),
    getNearestDc: (dcId) => route('getNearestDc', [dcId]),
    saveFilePart: (fileId, filePart, bytes, callOptions) => route('saveFilePart', [fileId, filePart, bytes, callOptions]),
    getFile: (fileId, offset, limit, callOptions) => route('getFile', [fileId, offset, limit, callOptions]),
    states: () => route('states', []),
    subscribe(listener) {
      const entry = (s: DcStateView[]): void => listener(s)
      // As a fresh subscription does: the current states first.
      route<DcStateView[]>('states', []).then((s) => listeners.state.has(entry) && entry(s), () => undefined)
      return listen('state', entry)
    },
    onUpdate: (listener) => listen('update', (dcId: number, bytes: Uint8Array) => listener(dcId, bytes)),
    onKeyEvent: (listener) => listen('key', (e: KeyEvent) => listener(e)),
    rotateNow: (dcId) => route('rotateNow', [dcId]),
    reconnect: () => route('lifecycle', ['reconnect']),
    lifecycle: (kind) => route('lifecycle', [kind]),
    logout: (dcId) => route('logout', [dcId]),
    async close() {
      if (closed) return
      closed = true
      const error = new TransportError('CLOSED', 'client closed')
      for (const w of waiting.values()) w.reject(error)
      waiting.clear()
      for (const set of Object.values(listeners)) set.clear()
      quit.abort()
      leaving = true
      // The followers' calls in flight here get no answer: they go again to the next leader.
      await local?.close()
      stepDown()
      channel.close()
    },
  }
}
