import { describe, expect, it } from 'vitest'
import { pickMember } from './pools.ts'

describe('pickMember: which pool connection takes a call (issue #15)', () => {
  it.each([
    { rule: 'the first call starts member 0', pending: [], size: 2, member: 0 },
    { rule: 'an idle member is reused before another starts', pending: [0], size: 2, member: 0 },
    { rule: 'all busy and room left: the next member starts', pending: [3], size: 2, member: 1 },
    { rule: 'an idle later member is taken over a busy first one', pending: [2, 0], size: 2, member: 1 },
    { rule: 'full pool, all busy: the least loaded', pending: [4, 1], size: 2, member: 1 },
    { rule: 'full pool, a tie: the first of them', pending: [2, 2, 5], size: 3, member: 0 },
    { rule: 'a pool of one never grows', pending: [7], size: 1, member: 0 },
  ])('$rule', ({ pending, size, member }) => {
    expect(pickMember(pending, size)).toBe(member)
  })
})
