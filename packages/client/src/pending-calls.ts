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
    // One promise per call: this is on every call's path (#17, a thinner boundary).
    return new Promise<T>((resolve, reject) => {
      const fail = (error: unknown): void => {
        this.rejects.delete(fail)
        reject(error)
      }
      this.rejects.add(fail)
      try {
        call().then((value) => {
          this.rejects.delete(fail)
          resolve(value)
        }, fail)
      } catch (error) {
        fail(error)
      }
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
