/**
 * The SharedWorker bootstrap (#15): one engine per origin and storage name (the worker's
 * name carries it) for every tab, each served on its own connect port (tab-host.ts).
 */
import { disableWebAssembly } from '@pfs-web/crypto'
import { createBrowserEnv } from './browser-env.ts'
import { createEngine } from './engine.ts'
import { DEFAULT_STORAGE_NAME, createIdbPermKeyStorage } from './edge/storage/perm-key-storage.ts'
import { createTabHost } from './tab-host.ts'

declare const self: SharedWorkerGlobalScope

let storageName = DEFAULT_STORAGE_NAME
const serve = createTabHost({
  makeEngine: () => createEngine(createBrowserEnv(createIdbPermKeyStorage(() => storageName))),
  // The tab holds this lock for its lifetime: we are granted it once the tab is gone.
  whenGone: (lock) => navigator.locks.request(lock, () => undefined),
  beforeInit(options) {
    storageName = options.storageName ?? DEFAULT_STORAGE_NAME
    if (options.webAssembly === false) disableWebAssembly()
  },
})
self.onconnect = (event) => {
  const [port] = event.ports
  if (port) serve(port)
}
