/** Page side of the bench: runs bench-worker.ts in a dedicated Worker and exposes the outcome. */
import type { BenchMessage } from './bench-worker.ts'

declare global {
  interface Window {
    benchOutcome?: { ok: true; result: unknown } | { ok: false; error: string }
  }
}

const worker = new Worker(new URL('./bench-worker.ts', import.meta.url), { type: 'module' })
worker.onmessage = (e: MessageEvent<BenchMessage>) => {
  const m = e.data
  if (m.type === 'progress') console.log(m.text)
  else if (m.type === 'done') window.benchOutcome = { ok: true, result: m.result }
  else window.benchOutcome = { ok: false, error: m.error }
}
worker.onerror = (e) => {
  window.benchOutcome = { ok: false, error: `worker error: ${e.message}` }
}
