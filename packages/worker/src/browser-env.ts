/**
 * The EngineEnv of a browser worker (dedicated or shared): WebSocket, IndexedDB perm keys,
 * performance.now/Date.now clocks, crypto.getRandomValues and setTimeout. This is the only
 * worker module that touches those globals.
 */
import type { EngineEnv, PermKeyStorage, SocketLike } from './env.ts'
import { EngineError } from './errors.ts'

// crypto.getRandomValues refuses more than 65536 bytes per call.
const RANDOM_CHUNK = 65536

export function browserRandom(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += RANDOM_CHUNK) crypto.getRandomValues(out.subarray(i, Math.min(n, i + RANDOM_CHUNK)))
  return out
}

/**
 * Forwards to a browser WebSocket; the engine assigns its handlers to this object. The
 * `binary` subprotocol is required by the server side (transports.md §4).
 */
export function openWebSocket(url: string): SocketLike {
  const ws = new WebSocket(url, 'binary')
  ws.binaryType = 'arraybuffer'
  const socket: SocketLike = {
    get binaryType() {
      return ws.binaryType
    },
    set binaryType(type: string) {
      if (type !== 'arraybuffer' && type !== 'blob') throw new EngineError('BAD_BINARY_TYPE', `binaryType ${type}`)
      ws.binaryType = type
    },
    get readyState() {
      return ws.readyState
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  }
  ws.onopen = (event) => socket.onopen?.(event)
  ws.onmessage = (event) => socket.onmessage?.({ data: event.data })
  ws.onclose = (event) => socket.onclose?.({ code: event.code, reason: event.reason })
  ws.onerror = (event) => socket.onerror?.(event)
  return socket
}

export function createBrowserEnv(permKeys: PermKeyStorage): EngineEnv {
  return {
    openSocket: openWebSocket,
    permKeys,
    clock: { now: () => performance.now(), wallNow: () => Date.now() },
    random: browserRandom,
    setTimer(ms, fn) {
      const timer = setTimeout(fn, ms)
      return () => clearTimeout(timer)
    },
    watchNetwork(listener) {
      for (const kind of ['online', 'offline'] as const) addEventListener(kind, () => listener(kind))
      if (!navigator.onLine) listener('offline')
    },
  }
}
