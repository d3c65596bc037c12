import { describe, expect, it } from 'vitest'
import { permHandshakeRetry, reconnectDelayMs, type RetryDecision } from './retry-policy.ts'

const half = () => 0.5

describe('retry policy', () => {
  it.each<{ rule: string; attempt: number; want: number }>([
    { rule: 'a dropped connection is reopened soon (¾ of 250 ms at rand ½)', attempt: 1, want: 187.5 },
    { rule: 'reconnects back off, doubling', attempt: 3, want: 750 },
    { rule: 'reconnects never wait more than 30 s', attempt: 20, want: 22_500 },
  ])('$rule', ({ attempt, want }) => expect(reconnectDelayMs(attempt, half)).toBe(want))

  it.each<{ rule: string; attempt: number; want: RetryDecision }>([
    { rule: 'pfs §1.1: a failed perm handshake is tried again after ~½ s', attempt: 1, want: { retry: true, delayMs: 375 } },
    { rule: 'the 4th failed perm handshake waits 3 s', attempt: 4, want: { retry: true, delayMs: 3_000 } },
    { rule: 'after 5 failed perm handshakes, connect() fails', attempt: 5, want: { retry: false } },
  ])('$rule', ({ attempt, want }) => expect(permHandshakeRetry(attempt, half)).toEqual(want))
})
