/**
 * One WebSocket carrying obfuscated padded-intermediate frames (transports.md §3–4). It
 * owns no protocol state beyond the byte streams: packets, quick acks and transport errors
 * go to the handlers (a temp key's handshake hands them over to its lane), and any
 * failure ends in exactly one onClose.
 */
import { TransportError } from '@pfs-web/errors'
import type { EngineEnv, SocketLike } from '../../env.ts'
import { FrameDecoder, encodeFrame, type FrameEvent } from './framing.ts'
import { generateObfuscationInit, startObfuscation, type CtrStream } from '@pfs-web/crypto'

/** init[56:60]: padded intermediate inside obfuscation (transports.md §3 step 2). */
const PADDED_INTERMEDIATE = new Uint8Array([0xdd, 0xdd, 0xdd, 0xdd])

export type ConnectionPurpose = 'main' | 'perm-handshake' | 'temp-handshake' | 'next-temp'

export interface ConnectionHandlers {
  onPacket(payload: Uint8Array): void
  onTransportError(code: number): void
  /** Called once; `error` says why (TransportError code 'CLOSED', 'BAD_FRAME', ...). */
  onClose(error: TransportError): void
}

const WS_OPEN = 1
/** How long opening a socket may take before it counts as failed. */
const OPEN_TIMEOUT_MS = 10_000

export class Connection {
  #socket: SocketLike | null = null
  #obf: { encryptor: CtrStream; decryptor: CtrStream } | null = null
  readonly #decoder = new FrameDecoder()
  #closed = false
  #handlers: ConnectionHandlers | null = null
  #cancelOpenTimer: () => void = () => undefined

  readonly #env: EngineEnv

  constructor(
    env: EngineEnv,
    readonly url: string,
    readonly wireDcId: number,
    readonly purpose: ConnectionPurpose,
  ) {
    this.#env = env
  }

  /** Resolves once the socket is open and the 64-byte obfuscation init is sent. */
  open(handlers: ConnectionHandlers): Promise<void> {
    this.#handlers = handlers
    return new Promise<void>((resolve, reject) => {
      let settled = false
      const fail = (err: TransportError): void => {
        if (!settled) {
          settled = true
          reject(err)
        }
        this.#finish(err)
      }
      const cancelTimer = this.#env.setTimer(OPEN_TIMEOUT_MS, () => fail(new TransportError('CONNECT_TIMEOUT', `no connection to ${this.url}`)))
      // closed before the socket opened: finish() must not leave this timer armed
      this.#cancelOpenTimer = cancelTimer
      let socket: SocketLike
      try {
        socket = this.#env.openSocket(this.url)
      } catch (err) {
        cancelTimer()
        fail(new TransportError('CONNECT_FAILED', String(err)))
        return
      }
      this.#socket = socket
      socket.binaryType = 'arraybuffer'
      socket.onopen = () => {
        cancelTimer()
        if (this.#closed) return
        const init = generateObfuscationInit(this.#env.random, PADDED_INTERMEDIATE, this.wireDcId)
        // a keystream refill failing later ends the connection like a socket error would
        startObfuscation(init, undefined, (err) => this.#finish(new TransportError('CRYPTO_FAILED', err.message))).then(
          ({ header, encryptor, decryptor }) => {
            init.fill(0)
            if (this.#closed) {
              encryptor.close()
              decryptor.close()
              return
            }
            this.#obf = { encryptor, decryptor }
            socket.send(header)
            settled = true
            resolve()
          },
          (err: unknown) => fail(new TransportError('CONNECT_FAILED', String(err))),
        )
      }
      socket.onmessage = (ev) => this.#onData(ev.data)
      socket.onerror = () => {
        cancelTimer()
        fail(new TransportError('SOCKET_ERROR', `socket error on ${this.url}`))
      }
      socket.onclose = (ev) => {
        cancelTimer()
        fail(new TransportError('CLOSED', `socket closed (${ev.code ?? 'no code'})`))
      }
    })
  }

  /**
   * The connection goes on with new handlers, its obfuscation streams and frame decoder as
   * they are: the socket that made a temp key carries its bind and calls (issue #17).
   * False when it has closed already: its one onClose went to the old handlers.
   */
  adopt(handlers: ConnectionHandlers): boolean {
    if (this.#closed) return false
    this.#handlers = handlers
    return true
  }

  get isOpen(): boolean {
    return !this.#closed && this.#obf !== null && this.#socket?.readyState === WS_OPEN
  }

  /**
   * Frames, encrypts and sends: synchronously while the CTR stream has keystream made
   * ahead, else after its refill. Either way the stream hands results out in call order,
   * so frames leave in the order send() was called.
   */
  send(payload: Uint8Array): void {
    const socket = this.#socket
    if (!this.isOpen || !this.#obf || !socket) throw new TransportError('CLOSED', 'connection is not open')
    this.#obf.encryptor.process(encodeFrame(payload, this.#env.random), (bytes) => {
      if (!this.#closed) socket.send(bytes)
    })
  }

  close(reason = new TransportError('CLOSED', 'closed locally')): void {
    this.#finish(reason)
  }

  #onData(data: unknown): void {
    if (this.#closed || !this.#obf) return
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : null
    if (!bytes) {
      this.#finish(new TransportError('BAD_FRAME', 'non-binary WebSocket message'))
      return
    }
    this.#obf.decryptor.process(bytes, (plain) => this.#onPlain(plain))
  }

  #onPlain(plain: Uint8Array): void {
    if (this.#closed) return
    let events: FrameEvent[]
    try {
      events = this.#decoder.push(plain)
    } catch (err) {
      this.#finish(err instanceof TransportError ? err : new TransportError('BAD_FRAME', String(err)))
      return
    }
    for (const ev of events) {
      if (this.#closed) return
      if (ev.kind === 'packet') this.#handlers?.onPacket(ev.payload)
      else if (ev.kind === 'transport-error') this.#handlers?.onTransportError(ev.code)
      // Quick acks are not requested by this client; a stray one carries no information we use.
    }
  }

  #finish(err: TransportError): void {
    if (this.#closed) return
    this.#closed = true
    this.#cancelOpenTimer()
    const socket = this.#socket
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null
      try {
        socket.close(1000)
      } catch {
        // Closing a socket that never opened throws in some runtimes; it is gone either way.
      }
    }
    // wipes the keystream made ahead
    this.#obf?.encryptor.close()
    this.#obf?.decryptor.close()
    this.#obf = null
    const h = this.#handlers
    this.#handlers = null
    h?.onClose(err)
  }
}
