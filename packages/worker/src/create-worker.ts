/**
 * Starts the engine worker. The `new Worker(new URL(…, import.meta.url))` shape is what
 * Vite (and other bundlers) recognise to emit the entry as a separate chunk, so it must
 * stay literal here rather than behind a variable.
 */
export function createWorker(): Worker {
  return new Worker(new URL('./entry.ts', import.meta.url), { type: 'module', name: 'pfs-web' })
}

/** The engine shared by every tab of this origin that passes the same `name` (#15, shared-entry.ts). */
export function createSharedWorker(name: string): SharedWorker {
  return new SharedWorker(new URL('./shared-entry.ts', import.meta.url), { type: 'module', name })
}
