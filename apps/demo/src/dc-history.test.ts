import { describe, expect, it } from 'vitest'
import type { DcStateView } from '@pfs-web/client'
import { EMPTY_HISTORY, nextHistory, type DcHistory } from './dc-history.ts'

function state(patch: Partial<DcStateView>): DcStateView {
  return {
    dcId: 2, status: 'ready', waitReason: null, permKeyId: 'p', tempKeyId: 't1', nextTempKeyId: null,
    bound: true, expiresAt: null, nextRotationAt: null, serverTimeOffset: 0,
    handshakes: { perm: 1, temp: 1 }, binds: 1, rotations: 0, rebinds: 0,
    last404: null, stormBackoffUntil: null, lastError: null, pendingCalls: 0, ...patch,
  }
}

const E404 = { name: 'TransportError', code: -404, message: 'temp key not found' }

function run(steps: [Partial<DcStateView>, number][]): DcHistory {
  return steps.reduce((h, [patch, ms]) => nextHistory(h, state(patch), ms), EMPTY_HISTORY)
}

describe('nextHistory: the page’s own record of errors and -404s', () => {
  it.each([
    {
      rule: 'an error is current until a later state is ready and bound',
      steps: [[{ lastError: E404, status: 'binding', bound: false }, 1000]] as [Partial<DcStateView>, number][],
      want: { errorSeenMs: 1000, recoveredMs: null },
    },
    {
      rule: 'ready and bound after the error: recovered, at that state',
      steps: [[{ lastError: E404, status: 'binding', bound: false }, 1000], [{ lastError: E404 }, 1400]] as [Partial<DcStateView>, number][],
      want: { errorSeenMs: 1000, recoveredMs: 1400 },
    },
    {
      rule: 'the state that brings the error does not count as its recovery',
      steps: [[{ lastError: E404 }, 1000]] as [Partial<DcStateView>, number][],
      want: { errorSeenMs: 1000, recoveredMs: null },
    },
    {
      rule: 'a new error after recovery is current again',
      steps: [[{ lastError: E404, status: 'binding', bound: false }, 1000], [{ lastError: E404 }, 1400], [{ lastError: { ...E404, code: 'CLOSED', name: 'TransportError' }, status: 'connecting', bound: false }, 2000]] as [Partial<DcStateView>, number][],
      want: { errorSeenMs: 2000, recoveredMs: null },
    },
    {
      rule: 'the same error repeated keeps its first-seen time and its recovery',
      steps: [[{ lastError: E404, status: 'binding', bound: false }, 1000], [{ lastError: E404 }, 1400], [{ lastError: { ...E404 } }, 5000]] as [Partial<DcStateView>, number][],
      want: { errorSeenMs: 1000, recoveredMs: 1400 },
    },
  ])('$rule', ({ steps, want }) => {
    expect(run(steps)).toMatchObject(want)
  })

  it('a -404 is aged from when the page saw it, whatever the clock offset did since', () => {
    const last404 = { at: 1_000_000, cause: 'temp-key-forgotten' }
    const h = run([
      [{ last404 }, 10_000],
      // a +120 s skew is detected afterwards: the same -404, a new offset
      [{ last404, serverTimeOffset: 120 }, 12_000],
    ])
    expect(h.last404SeenMs).toBe(10_000)
    expect(run([[{ last404 }, 10_000], [{ last404: { ...last404, at: last404.at + 30 } }, 40_000]]).last404SeenMs).toBe(40_000)
  })
})
