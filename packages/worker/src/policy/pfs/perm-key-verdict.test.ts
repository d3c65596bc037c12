import { describe, expect, it } from 'vitest'
import { NO_EVIDENCE, strike, weighedAgeS, type PermEvidence } from './perm-key-verdict.ts'

const after = (...keys: string[]): PermEvidence => keys.reduce((e, k) => strike(e, k).evidence, NO_EVIDENCE)

describe('perm key verdict', () => {
  it.each<{ rule: string; before: PermEvidence; keyId: string; verdict: 'alive' | 'dead' }>([
    { rule: 'pfs §2: one ENCRYPTED_MESSAGE_INVALID is not proof: alive, bind a fresh temp key', before: NO_EVIDENCE, keyId: 'a', verdict: 'alive' },
    { rule: 'pfs §2: the same failure on a second, fresh temp key → dead', before: after('a'), keyId: 'b', verdict: 'dead' },
    { rule: 'pfs §2: the same temp key failing again is no new evidence', before: after('a'), keyId: 'a', verdict: 'alive' },
    { rule: 'pfs §2: once dead, a rebind of a struck key (after a clock resync) stays dead', before: after('a', 'b'), keyId: 'b', verdict: 'dead' },
  ])('$rule', ({ before, keyId, verdict }) => expect(strike(before, keyId).verdict).toBe(verdict))

  it.each<{ rule: string; evidence: PermEvidence; ageS: number | null; want: number | null }>([
    { rule: 'api/pfs: with no strike a fresh perm key keeps its age (its binds are retried)', evidence: NO_EVIDENCE, ageS: 5, want: 5 },
    { rule: 'pfs §2: after a strike the age counts as unknown: the next failure is judged', evidence: after('a'), ageS: 5, want: null },
    { rule: 'a stored perm key has no age either way', evidence: NO_EVIDENCE, ageS: null, want: null },
  ])('$rule', ({ evidence, ageS, want }) => expect(weighedAgeS(evidence, ageS)).toBe(want))
})
