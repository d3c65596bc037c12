/**
 * The page end of the worker's call port (the worker package's call-port.ts): one
 * MessagePort, flat-array calls sent in batches per turn, answers matched by a counter id.
 * Like PendingCalls, it rejects what is pending, and every later call, once the worker is
 * gone.
 */
import { ANSWER_OK, batchItems, PortBatch, thrownFromWire, type CallMethod } from '@pfs-web/worker'

interface Waiting {
  resolve(value: unknown): void
  reject(error: unknown): void
}

export class CallChannel {
  readonly #port: MessagePort
  readonly #requests: PortBatch
  readonly #waiting = new Map<number, Waiting>()
  #nextId = 1
  #failure: { error: unknown } | null = null

  constructor(port: MessagePort) {
    this.#port = port
    // e.g. a detached or uncloneable argument: that call fails, nothing will answer it
    this.#requests = new PortBatch(port, ([id], error) => this.#take(id)?.reject(error))
    port.onmessage = (event: MessageEvent) => {
      for (const [id, status, value] of batchItems(event.data)) {
        const waiting = this.#take(id)
        if (status === ANSWER_OK) waiting?.resolve(value)
        else waiting?.reject(thrownFromWire(value))
      }
    }
  }

  call<T>(method: CallMethod, args: unknown[], transfer: Transferable[] = []): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure.error)
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.#requests.push([id, method, ...args], transfer)
    })
  }

  /** Rejects every pending call and every later one with `error`, and closes the port. The first failure wins. */
  failAll(error: unknown): void {
    if (this.#failure) return
    this.#failure = { error }
    for (const waiting of this.#waiting.values()) waiting.reject(error)
    this.#waiting.clear()
    this.#port.close()
  }

  get size(): number {
    return this.#waiting.size
  }

  /** The call waiting for `id`, no longer waiting. */
  #take(id: unknown): Waiting | undefined {
    const waiting = this.#waiting.get(id as number)
    this.#waiting.delete(id as number)
    return waiting
  }
}
