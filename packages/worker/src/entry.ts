/**
 * The dedicated Worker bootstrap: build the browser env, make the engine and serve it on
 * `self`. shared-entry.ts is the SharedWorker host that serves every tab from one engine.
 */
import { disableWebAssembly } from '@pfs-web/crypto'
import { createBrowserEnv } from './browser-env.ts'
import { createEngine } from './engine.ts'
import { exposeOn } from './expose-on.ts'
import { DEFAULT_STORAGE_NAME, createIdbPermKeyStorage } from './edge/storage/perm-key-storage.ts'

let storageName = DEFAULT_STORAGE_NAME
const engine = createEngine(createBrowserEnv(createIdbPermKeyStorage(() => storageName)))
exposeOn(self, engine, {
  beforeInit(options) {
    storageName = options.storageName ?? DEFAULT_STORAGE_NAME
    // Before the first crypto call: the modules compile lazily, so none is even tried.
    if (options.webAssembly === false) disableWebAssembly()
  },
})
