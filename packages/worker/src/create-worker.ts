/**
 * Starts the dedicated engine worker. The `new Worker(new URL(…, import.meta.url))` shape
 * is what Vite (and other bundlers) recognise to emit the entry as a separate chunk, so it
 * must stay literal here rather than behind a variable.
 */
export function createWorker(): Worker {
  return new Worker(new URL('./entry.ts', import.meta.url), { type: 'module', name: 'pfs-web' })
}
