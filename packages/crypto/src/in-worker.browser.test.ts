import { expect, it } from 'vitest'
import type { CheckResult } from './test-support/worker-suite.ts'

it('IGE, SHA, KDF, message and CTR vector checks pass inside a dedicated module Worker', async () => {
  const worker = new Worker(new URL('./test-support/worker-suite.ts', import.meta.url), { type: 'module' })
  try {
    const results = await new Promise<CheckResult[]>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<CheckResult[]>) => resolve(e.data)
      worker.onerror = (e) => reject(new Error(`worker failed: ${e.message}`))
    })
    expect(results.filter((r) => !r.ok)).toEqual([])
    expect(results.length).toBeGreaterThanOrEqual(13)
  } finally {
    worker.terminate()
  }
})
