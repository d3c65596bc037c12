/**
 * Where a client's engine runs (#15): a dedicated worker of its own, or the SharedWorker
 * that serves every tab of this origin and storage name from one engine. In shared mode
 * the tab holds a Web Lock named for it while the client lives; the SharedWorker asks for
 * the same lock, and is granted it once the tab is gone, MessagePorts having no close event.
 */
import type { Endpoint } from 'comlink'
import { createSharedWorker, createWorker } from '@pfs-web/worker'

/**
 * 'shared-worker': one engine in a SharedWorker for every tab. 'leader': one engine in the
 * dedicated worker of a tab elected with Web Locks, serving the others (leader-client.ts).
 * 'none': an engine per client, in its own dedicated worker.
 */
export type Sharing = 'shared-worker' | 'leader' | 'none'

/** The best sharing this browser offers. */
export function defaultSharing(): Sharing {
  if (typeof navigator === 'undefined' || !('locks' in navigator)) return 'none'
  if (typeof SharedWorker !== 'undefined') return 'shared-worker'
  return typeof BroadcastChannel !== 'undefined' ? 'leader' : 'none'
}

export interface EngineLink {
  endpoint: Endpoint
  /** Listens for the worker failing to load or run. */
  onError(listener: (message: string) => void): void
  /** The lock this tab holds for the shared engine (shared mode), once held. */
  tabLock: Promise<string | undefined>
  /** Ends this client's hold: terminates a dedicated worker; closes the port and frees the lock of a shared one. */
  end(): void
}

function holdLock(name: string): { held: Promise<string>; free: () => void } {
  let free = (): void => undefined
  const released = new Promise<void>((resolve) => (free = resolve))
  const held = new Promise<string>((resolve) => {
    navigator.locks
      .request(name, () => {
        resolve(name)
        return released
      })
      .catch(() => undefined)
  })
  return { held, free }
}

/** `storageName` names the shared engine: clients of one IndexedDB database share one. */
export function openEngine(sharing: Sharing, storageName = ''): EngineLink {
  if (sharing !== 'shared-worker') {
    const worker = createWorker()
    return {
      endpoint: worker,
      onError: (listener) => worker.addEventListener('error', (event) => listener(event.message)),
      tabLock: Promise.resolve(undefined),
      end: () => worker.terminate(),
    }
  }
  const shared = createSharedWorker(`pfs-web:${storageName}`)
  const lock = holdLock(`pfs-web-tab:${crypto.randomUUID()}`)
  return {
    endpoint: shared.port,
    onError: (listener) => shared.addEventListener('error', () => listener('shared worker error')),
    tabLock: lock.held,
    end() {
      shared.port.close()
      lock.free()
    },
  }
}
