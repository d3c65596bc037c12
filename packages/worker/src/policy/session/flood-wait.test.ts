import { describe, expect, it } from 'vitest'
import { FLOOD_WAIT_RETRIES, onFloodWait, type FloodWait, type FloodWaitDecision } from './flood-wait.ts'

const NOW = 1_000_000
const wait = (w: Partial<FloodWait>): FloodWait => ({ seconds: 5, waited: 0, deadlineAt: NOW + 30_000, maxS: 60, ...w })

describe('onFloodWait', () => {
  it.each<{ rule: string; w: Partial<FloodWait>; want: FloodWaitDecision }>([
    { rule: 'api/errors 420: wait X s, then send again', w: {}, want: { retry: true, notBefore: NOW + 5_000 } },
    { rule: 'X at the cap is still waited out', w: { seconds: 60, deadlineAt: NOW + 120_000 }, want: { retry: true, notBefore: NOW + 60_000 } },
    { rule: 'X above floodWaitMaxS → the caller gets FloodWaitError', w: { seconds: 61, deadlineAt: NOW + 600_000 }, want: { retry: false, why: 'above-cap' } },
    { rule: 'a wait ending at or past the call’s deadline is not begun', w: { seconds: 30 }, want: { retry: false, why: 'past-deadline' } },
    { rule: 'FLOOD_WAIT_0: send again at once', w: { seconds: 0 }, want: { retry: true, notBefore: NOW } },
    { rule: `the ${FLOOD_WAIT_RETRIES}th flood wait of one call is its answer`, w: { waited: FLOOD_WAIT_RETRIES - 1 }, want: { retry: false, why: 'too-many' } },
    { rule: 'a cap of 0 waits for nothing but FLOOD_WAIT_0', w: { seconds: 1, maxS: 0 }, want: { retry: false, why: 'above-cap' } },
  ])('$rule', ({ w, want }) => expect(onFloodWait(wait(w), NOW)).toEqual(want))
})
