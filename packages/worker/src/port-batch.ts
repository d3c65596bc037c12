/**
 * Both ends of the call port send in batches: every message queued in one turn leaves as a
 * single array on the microtask after the first. With many calls in flight, a container of
 * answers then reaches the page as one message, and the calls the page issues in reply
 * reach the engine as one message too, so they leave in one container again (#17).
 */
export class PortBatch {
  readonly #port: MessagePort
  readonly #unsendable: (item: unknown[], error: unknown) => void
  #items: unknown[][] = []
  #transfers: Transferable[][] = []

  /** `unsendable` hears of an item that cannot be cloned; the rest of its batch still goes. */
  constructor(port: MessagePort, unsendable: (item: unknown[], error: unknown) => void) {
    this.#port = port
    this.#unsendable = unsendable
  }

  push(item: unknown[], transfer: Transferable[] = []): void {
    if (this.#items.length === 0) queueMicrotask(() => this.#flush())
    this.#items.push(item)
    this.#transfers.push(transfer)
  }

  #flush(): void {
    const items = this.#items
    const transfers = this.#transfers
    this.#items = []
    this.#transfers = []
    try {
      this.#port.postMessage(items, transfers.flat())
    } catch {
      // One bad item spoils the clone of the whole batch: find it by sending one at a time.
      items.forEach((item, i) => {
        try {
          this.#port.postMessage([item], transfers[i] ?? [])
        } catch (error) {
          this.#unsendable(item, error)
        }
      })
    }
  }
}

/** The items of a batch that look like calls or answers: arrays led by a numeric id. */
export function batchItems(data: unknown): unknown[][] {
  if (!Array.isArray(data)) return []
  return data.filter((item): item is unknown[] => Array.isArray(item) && typeof item[0] === 'number')
}
