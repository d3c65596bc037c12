import { describe, expect, it } from 'vitest'
import type { WorkerOptions } from '../../api.ts'
import { OFFLINE_OPTIONS as base } from '../../test-support/engine-options.ts'
import { resolveOptions } from './options.ts'

describe('resolveOptions: the one temp-key timing config', () => {
  it.each<{ rule: string; over: Partial<WorkerOptions>; want: { min: number; max: number; renew: number; unusable: number } }>([
    { rule: 'auth-key.md: TDLib lifetimes of 23–24 h; renewal 10 min before expiry, unusable 5 min before', over: {}, want: { min: 82_800, max: 86_400, renew: 600, unusable: 300 } },
    { rule: 'short test keys renew a quarter of their life before expiry and stop half-way to it', over: { tempKeyLifetimeS: [5, 5] }, want: { min: 5, max: 5, renew: 1, unusable: 0.5 } },
    { rule: 'an explicit rotation margin is kept; the unusable margin stays at most 1 h', over: { tempKeyLifetimeS: [86_400, 86_400], rotationMarginS: 7_200 }, want: { min: 86_400, max: 86_400, renew: 7_200, unusable: 3_600 } },
  ])('$rule', ({ over, want }) => {
    const t = resolveOptions({ ...base, ...over }).tempKeys
    expect({ min: t.minLifetimeS, max: t.maxLifetimeS, renew: t.renewMarginS, unusable: t.unusableMarginS }).toEqual(want)
  })

  it.each<{ rule: string; over: Partial<WorkerOptions> }>([
    { rule: 'a lifetime range upside down', over: { tempKeyLifetimeS: [10, 5] } },
    { rule: 'a fractional lifetime (expires_in is an int)', over: { tempKeyLifetimeS: [5.5, 6] } },
    { rule: 'a rotation margin as long as the key lives', over: { tempKeyLifetimeS: [60, 60], rotationMarginS: 60 } },
    { rule: 'an upload pool of 0 connections', over: { pools: { upload: 0 } } },
    { rule: 'a download pool of 1.5 connections', over: { pools: { download: 1.5 } } },
  ])('refuses $rule with BAD_OPTIONS', ({ over }) => expect(() => resolveOptions({ ...base, ...over })).toThrow(expect.objectContaining({ code: 'BAD_OPTIONS' })))
})

describe('resolveOptions: pools (issue #15)', () => {
  it('upload and download default to 2 connections each, media and main to 1', () => {
    expect(resolveOptions(base).pools).toEqual({ upload: 2, download: 2, media: 1, main: 1 })
  })
  it('the embedder sets the upload and download sizes', () => {
    expect(resolveOptions({ ...base, pools: { upload: 4, download: 1 } }).pools).toMatchObject({ upload: 4, download: 1 })
  })
})
