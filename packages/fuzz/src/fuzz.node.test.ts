/**
 * The seeded short run of issue #18's fuzzer in `npm test`: 5,000 cases of a hostile server
 * against the real engine, judged by every oracle. `pnpm fuzz --cases N --seed S` runs long.
 */
import { describe, expect, it } from 'vitest'
import { SHORT_RUN_WEIGHTS } from './mutations/families.ts'
import { runFuzz } from './runner.ts'

describe('fuzz: a hostile server with authentic encryption (issue #18)', () => {
  it('5,000 seeded cases: no uncaught error, every call settled by its deadline (typed if rejected), the engine recovers, no key bytes out, memory bounded', async () => {
    const failures: string[] = []
    const report = await runFuzz({
      seed: 18,
      cases: 5_000,
      weights: SHORT_RUN_WEIGHTS,
      rssLimitMb: 1_024,
      onFailure: (f) => void failures.push(`case ${f.case} [${f.family}: ${f.what}]: ${f.reason} — replay: ${f.replay}`),
    })
    expect(failures).toEqual([])
    expect(report.cases).toBe(5_000)
    // every family was drawn, so every layer was hit
    expect(Object.keys(report.families).sort()).toEqual(['bind', 'clock', 'container', 'framing', 'handshake', 'length', 'msg-id', 'obfuscation', 'packet', 'rpc-result', 'service', 'session', 'tl-bytes'])
  }, 600_000)
})
