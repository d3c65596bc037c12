import { ServerTransportError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { ConnectionHandle } from '../session/connection-handle.ts'
import type { StatsRecorder } from '../stats.ts'
import { ServerStream, type ByteSink, type StreamOptions } from './stream.ts'

export interface ConnectionDeps {
  stats: StatsRecorder
  logger: Logger
  handle(conn: ConnectionHandle, payload: Buffer): Promise<void>
  onClose(conn: Connection): void
  /** Injected network latency: a payload is handled this long after it arrived. */
  latencyMs?(): number
  /** Monotonic ms and timers (server-env.ts), so a virtual clock drives them in the simulation. */
  nowMs(): number
  setTimer(ms: number, fn: () => void): () => void
}

let nextId = 1

/**
 * One client connection over TCP or WebSocket: bytes in → payloads handled strictly in
 * order → payloads out. Bad input closes this connection only, never the process.
 */
export class Connection implements ConnectionHandle {
  readonly id = nextId++
  private readonly stream: ServerStream
  private queue: Promise<void> = Promise.resolve()
  private cancelDisconnect: (() => void) | null = null
  private isClosed = false

  constructor(
    private readonly sink: ByteSink,
    options: StreamOptions,
    private readonly deps: ConnectionDeps,
    readonly mediaOnly = false,
  ) {
    this.stream = new ServerStream(sink, options)
    deps.stats.connectionOpened()
  }

  get closed(): boolean {
    return this.isClosed
  }

  receive(chunk: Uint8Array): void {
    if (this.isClosed) return
    let payloads: Buffer[]
    try {
      payloads = this.stream.receive(chunk)
    } catch (err) {
      return this.fail(err)
    }
    const latency = this.deps.latencyMs?.() ?? 0
    // Due times are taken on arrival, so a constant latency keeps the order of packets
    // across connections as well as within one.
    const due = this.deps.nowMs() + latency
    for (const p of payloads) {
      this.queue = this.queue
        .then(() => (latency > 0 ? this.waitUntil(due) : undefined))
        .then(() => (this.isClosed ? undefined : this.deps.handle(this, p)))
        .catch((err) => this.fail(err))
    }
  }

  send(payload: Uint8Array): void {
    if (!this.isClosed) this.stream.send(payload)
  }

  sendTransportError(code: number): void {
    if (!this.isClosed) this.stream.sendTransportError(code)
  }

  closeAfter(ms: number): void {
    this.cancelDisconnect?.()
    this.cancelDisconnect = this.deps.setTimer(ms, () => this.close())
  }

  close(): void {
    this.closeWith(null)
  }

  /** The peer went away. */
  ended(): void {
    this.closeWith(null)
  }

  private waitUntil(at: number): Promise<void> | undefined {
    const ms = at - this.deps.nowMs()
    return ms > 0 ? new Promise((resolve) => this.deps.setTimer(ms, () => resolve())) : undefined
  }

  private fail(err: unknown): void {
    const code = err instanceof ServerTransportError ? String(err.code) : 'INTERNAL'
    if (code === 'INTERNAL') this.deps.logger.warn('connection-error', { id: this.id, error: String(err) })
    this.closeWith(code)
  }

  private closeWith(badInput: string | null): void {
    if (this.isClosed) return
    this.isClosed = true
    this.cancelDisconnect?.()
    this.cancelDisconnect = null
    this.deps.stats.connectionClosed(badInput)
    this.sink.close()
    this.deps.onClose(this)
  }
}
