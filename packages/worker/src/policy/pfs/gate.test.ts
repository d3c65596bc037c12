import { describe, expect, it } from 'vitest'
import { gate } from './gate.ts'

describe('PFS gate', () => {
  it.each([
    { rule: 'pfs §1.3: nothing but the bind goes out while it is under way', method: 'help.getConfig', phase: 'unbound', want: 'hold' },
    { rule: 'pfs §1.3: an API method waits for the bind', method: 'upload.getFile', phase: 'unbound', want: 'hold' },
    { rule: 'pfs §1.3: bind failed for good → non-whitelisted refused', method: 'upload.saveFilePart', phase: 'failed', want: 'refuse' },
    { rule: 'pfs §1.3: bind failed for good → help.getConfig waits for the next bound key', method: 'help.getConfig', phase: 'failed', want: 'hold' },
    { rule: 'pfs §1.3: bind failed for good → help.getNearestDc waits for the next bound key', method: 'help.getNearestDc', phase: 'failed', want: 'hold' },
    { rule: 'pfs §1.3: auth.logOut is not whitelisted', method: 'auth.logOut', phase: 'failed', want: 'refuse' },
    { rule: 'pfs §1.4: bound key carries everything', method: 'upload.getFile', phase: 'bound', want: 'send' },
  ] as const)('$rule', ({ method, phase, want }) => expect(gate(method, phase)).toBe(want))
})
