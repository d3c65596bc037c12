/**
 * An in-process WebSocket between the engine and the fuzz server: every open, message and
 * close is a delivery on the virtual loop, as the network would make it.
 */
import type { SocketLike } from '@pfs-web/worker'
import type { VirtualLoop } from './virtual-loop.ts'

const CONNECTING = 0
const OPEN = 1
const CLOSED = 3

/** The server's end of one socket. */
export interface ServerEnd {
  /** Bytes to the engine (one WebSocket message). */
  send(bytes: Uint8Array): void
  /** Closes as a server would; the engine sees onclose. */
  close(): void
  readonly closed: boolean
}

export interface ServerSide {
  /** A socket opened by the engine; returns what receives the engine's messages. */
  accept(url: string, end: ServerEnd): { onMessage(bytes: Uint8Array): void; onClose(): void }
}

export function openFuzzSocket(loop: VirtualLoop, server: ServerSide, url: string): SocketLike {
  let state = CONNECTING
  const socket: SocketLike = {
    binaryType: 'arraybuffer',
    get readyState() {
      return state
    },
    send(data) {
      if (state !== OPEN) throw new Error('socket is not open')
      const copy = data.slice()
      loop.post(() => {
        if (!end.closed) peer.onMessage(copy)
      })
    },
    close() {
      if (state === CLOSED) return
      state = CLOSED
      loop.post(() => peer.onClose())
    },
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  }
  const end: ServerEnd = {
    send(bytes) {
      const copy = bytes.slice()
      loop.post(() => {
        if (state === OPEN) socket.onmessage?.({ data: copy.buffer })
      })
    },
    close() {
      loop.post(() => {
        if (state === CLOSED) return
        state = CLOSED
        peer.onClose()
        socket.onclose?.({ code: 1000, reason: 'server closed' })
      })
    },
    get closed() {
      return state === CLOSED
    },
  }
  const peer = server.accept(url, end)
  loop.post(() => {
    if (state !== CONNECTING) return
    state = OPEN
    socket.onopen?.({})
  })
  return socket
}
