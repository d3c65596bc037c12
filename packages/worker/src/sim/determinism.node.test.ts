import { describe, expect, it } from 'vitest'
import { runSeed } from './run-seed.ts'

const QUICK = { lifetimes: 8, faultsPerLifetime: 1, maxCalls: 120 }

describe('simulation determinism (issue #11: a seed replays)', () => {
  it.each([3, 8, 21])('seed %i run twice gives the same event trace', async (seed) => {
    const a = await runSeed(seed, QUICK)
    const b = await runSeed(seed, QUICK)
    expect(a.traceTail.length).toBeGreaterThan(10)
    expect(b.traceHash).toBe(a.traceHash)
    expect(b.traceTail).toEqual(a.traceTail)
    expect(b.calls).toEqual(a.calls)
  }, 120_000)

  it('another seed gives another trace', async () => {
    const a = await runSeed(3, QUICK)
    const b = await runSeed(4, QUICK)
    expect(b.traceHash).not.toBe(a.traceHash)
  }, 120_000)
})
