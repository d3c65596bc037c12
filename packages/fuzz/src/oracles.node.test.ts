import { createHash } from 'node:crypto'
import { TransportError } from '@pfs-web/errors'
import { describe, expect, it } from 'vitest'
import { LeakScanner, isTypedError } from './oracles.ts'

const key = Uint8Array.from({ length: 256 }, (_, i) => (i * 37 + 11) & 0xff)
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('fuzz oracles (issue #18)', () => {
  const scanner = new LeakScanner()
  scanner.update([key])

  it.each([
    { rule: '8 key bytes as hex are found', text: `error at ${hex(key.subarray(40, 48))} in frame`, leaked: true },
    { rule: '…in upper case too', text: hex(key.subarray(100, 116)).toUpperCase(), leaked: true },
    { rule: '…from any byte offset, inside a longer hex run', text: `ff${hex(key.subarray(3, 13))}00`, leaked: true },
    { rule: '12 key bytes as base64 are found', text: `x ${Buffer.from(key.subarray(17, 29)).toString('base64')} y`, leaked: true },
    { rule: '7 key bytes are not enough to tell', text: hex(key.subarray(40, 47)), leaked: false },
    { rule: 'a key id (a hash of the key) is not key bytes', text: `keyId ${createHash('sha1').update(key).digest('hex').slice(24, 40)}`, leaked: false },
  ])('$rule', ({ text, leaked }) => expect(scanner.scan(text) !== null).toBe(leaked))

  it.each([
    { rule: 'a PfsError with its code is typed', err: new TransportError('CLOSED', 'x'), want: true },
    { rule: 'a bare Error is not', err: new Error('x'), want: false },
    { rule: 'a RangeError is not', err: new RangeError('x'), want: false },
    { rule: 'a string is not', err: 'boom', want: false },
  ])('$rule', ({ err, want }) => expect(isTypedError(err)).toBe(want))
})
