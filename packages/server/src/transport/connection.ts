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
  private disconnectTimer: NodeJS.Timeout | null = null
  private isClosed = false

  constructor(
    private readonly sink: ByteSink,
    options: StreamOptions,
    private readonly deps: ConnectionDeps,
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
    const due = Date.now() + latency
    for (const p of payloads) {
      this.queue = this.queue
        .then(() => (latency > 0 ? waitUntil(due) : undefined))
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
    if (this.disconnectTimer !== null) clearTimeout(this.disconnectTimer)
    this.disconnectTimer = setTimeout(() => this.close(), ms)
  }

  close(): void {
    this.closeWith(null)
  }

  /** The peer went away. */
  ended(): void {
    this.closeWith(null)
  }

  private fail(err: unknown): void {
    const code = err instanceof ServerTransportError ? String(err.code) : 'INTERNAL'
    if (code === 'INTERNAL') this.deps.logger.warn('connection-error', { id: this.id, error: String(err) })
    this.closeWith(code)
  }

  private closeWith(badInput: string | null): void {
    if (this.isClosed) return
    this.isClosed = true
    if (this.disconnectTimer !== null) clearTimeout(this.disconnectTimer)
    this.deps.stats.connectionClosed(badInput)
    this.sink.close()
    this.deps.onClose(this)
  }
}

function waitUntil(at: number): Promise<void> | undefined {
  const ms = at - Date.now()
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : undefined
}
