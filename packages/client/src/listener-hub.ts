/**
 * Fan-out of one worker event stream to page listeners. The worker holds at most one
 * subscription per stream (one MessageChannel), opened with the first page listener and
 * closed after the last leaves. Unsubscribing is synchronous: a removed listener is never
 * called again, even for a message already in flight. With `replayLast` (state snapshots)
 * a listener that joins an open stream first gets the latest value, as the first one did.
 */
import { proxy } from 'comlink'
import { releaseRemote } from '@pfs-web/worker'

type RemoteUnsubscribe = () => unknown

export class ListenerHub<A extends unknown[]> {
  private readonly listeners = new Set<(...args: A) => void>()
  private remote: Promise<RemoteUnsubscribe> | null = null
  private last: A | null = null

  constructor(
    private readonly subscribeRemote: (deliver: (...args: A) => void) => Promise<RemoteUnsubscribe>,
    private readonly onError: (error: unknown) => void,
    private readonly replayLast = false,
  ) {}

  add(listener: (...args: A) => void): () => void {
    // A Set would merge a listener added twice; wrap it so each add has its own unsubscribe.
    const entry = (...args: A): void => listener(...args)
    this.listeners.add(entry)
    if (!this.remote) this.open()
    else if (this.last) this.replay(entry, this.last)
    return () => {
      if (this.listeners.delete(entry) && this.listeners.size === 0) this.closeRemote()
    }
  }

  /** Drops every page listener and the worker subscription. */
  clear(): void {
    this.listeners.clear()
    this.closeRemote()
  }

  get size(): number {
    return this.listeners.size
  }

  private call(listener: (...args: A) => void, args: A): void {
    try {
      listener(...args)
    } catch (error) {
      this.onError(error)
    }
  }

  /** Asynchronously, like every other delivery, and only if still subscribed by then. */
  private replay(listener: (...args: A) => void, args: A): void {
    queueMicrotask(() => {
      if (this.listeners.has(listener)) this.call(listener, args)
    })
  }

  private open(): void {
    const deliver = proxy((...args: A): void => {
      if (this.replayLast) this.last = args
      for (const listener of [...this.listeners]) this.call(listener, args)
    })
    const remote = this.subscribeRemote(deliver)
    this.remote = remote
    remote.catch((error: unknown) => {
      if (this.remote === remote) this.remote = null
      this.onError(error)
    })
  }

  private closeRemote(): void {
    const remote = this.remote
    if (!remote) return
    this.remote = null
    this.last = null
    remote
      .then(
        async (unsubscribe) => {
          try {
            await unsubscribe()
          } finally {
            releaseRemote(unsubscribe)
          }
        },
        // A failed subscribe has nothing to undo; open() already reported it.
        () => undefined,
      )
      .catch(this.onError)
  }
}
