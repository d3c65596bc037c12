import { describe, expect, it } from 'vitest'
import { backoffMs, drawUnit } from './jitter.ts'

describe('backoffMs', () => {
  it.each([
    { rule: 'first failure: between base/2 and base', attempt: 1, r: 0, want: 500 },
    { rule: 'first failure, top of the jitter', attempt: 1, r: 0.999, want: 999.5 },
    { rule: 'doubles per failure', attempt: 4, r: 0.5, want: 6000 },
    { rule: 'capped at max', attempt: 30, r: 0, want: 15_000 },
  ])('$rule', ({ attempt, r, want }) => expect(backoffMs(attempt, 1000, 30_000, () => r)).toBeCloseTo(want, 6))
})

describe('drawUnit', () => {
  it.each([{ r: -0.1 }, { r: 1 }, { r: Number.NaN }])('rejects rand() = $r', ({ r }) => expect(() => drawUnit(() => r)).toThrow(RangeError))
})
