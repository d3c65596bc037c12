/**
 * Every call in flight to the worker. A terminated or failed worker never answers, so
 * close() and a worker that fails to load reject what is pending here instead of leaving
 * the page's promises hanging forever.
 */
export class PendingCalls {
  private readonly rejects = new Set<(error: unknown) => void>()
  private failure: { error: unknown } | null = null

  track<T>(call: () => Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure.error)
    return new Promise<T>((resolve, reject) => {
      this.rejects.add(reject)
      call()
        .then(resolve, reject)
        .finally(() => this.rejects.delete(reject))
    })
  }

  /** Rejects every pending call and every later one with `error`. The first failure wins. */
  failAll(error: unknown): void {
    if (this.failure) return
    this.failure = { error }
    for (const reject of this.rejects) reject(error)
    this.rejects.clear()
  }

  get size(): number {
    return this.rejects.size
  }
}
