import { describe, expect, it } from 'vitest'
import { DEFAULT_TEMP_KEY_CONFIG, tempKeyConfigFor } from './temp-key-config.ts'

describe('tempKeyConfigFor', () => {
  it.each([
    { rule: 'day-long keys (TDLib 23–24 h) renew 10 min before expiry and stop 5 min before', life: [82_800, 86_400] as const, margin: undefined, renew: 600, unusable: 300 },
    { rule: 'short keys renew a quarter of their life before expiry', life: [60, 60] as const, margin: undefined, renew: 15, unusable: 7.5 },
    { rule: 'issue #11: a 5 s key keeps half a second of unusable margin, not 0', life: [5, 5] as const, margin: undefined, renew: 1, unusable: 0.5 },
    { rule: 'the embedder\'s margin wins', life: [3_600, 3_600] as const, margin: 900, renew: 900, unusable: 450 },
    { rule: 'the unusable margin is at most the TDLib hour', life: [86_400, 86_400] as const, margin: 10_000, renew: 10_000, unusable: 3_600 },
  ])('$rule', ({ life, margin, renew, unusable }) => {
    const c = tempKeyConfigFor(life, margin)
    expect(c).toMatchObject({ minLifetimeS: life[0], maxLifetimeS: life[1], renewMarginS: renew, unusableMarginS: unusable })
    expect(c.stepTimeoutMs).toBe(DEFAULT_TEMP_KEY_CONFIG.stepTimeoutMs)
  })
})
