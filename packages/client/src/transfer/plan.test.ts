/** Part planning against the rules of core.telegram.org/api/files (see plan.ts). */
import { describe, expect, it } from 'vitest'
import { checkDownloadPartSize, checkParallel, downloadPartCount, KIB, MIB, planUpload } from './plan.ts'

describe('planUpload: part_size % 1024 = 0, 524288 % part_size = 0, 1..4000 parts, saveBigFilePart from 10 MiB', () => {
  it.each([
    { rule: 'one byte is one part, saveFilePart', size: 1, partSize: undefined, want: { big: false, partSize: 512 * KIB, parts: 1 } },
    { rule: 'exactly one part', size: 512 * KIB, partSize: undefined, want: { big: false, partSize: 512 * KIB, parts: 1 } },
    { rule: 'one byte over a part starts the next', size: 512 * KIB + 1, partSize: undefined, want: { big: false, partSize: 512 * KIB, parts: 2 } },
    { rule: 'just below 10 MiB is saveFilePart', size: 10 * MIB - 1, partSize: undefined, want: { big: false, partSize: 512 * KIB, parts: 20 } },
    { rule: '10 MiB is saveBigFilePart', size: 10 * MIB, partSize: undefined, want: { big: true, partSize: 512 * KIB, parts: 20 } },
    { rule: '32 MiB in 512 KiB parts', size: 32 * MIB, partSize: undefined, want: { big: true, partSize: 512 * KIB, parts: 64 } },
    { rule: 'a 1 KiB part size is allowed', size: 5000, partSize: KIB, want: { big: false, partSize: KIB, parts: 5 } },
    { rule: 'a 128 KiB part size is allowed', size: 300 * KIB, partSize: 128 * KIB, want: { big: false, partSize: 128 * KIB, parts: 3 } },
    { rule: '4000 parts is the most', size: 4000 * 512 * KIB, partSize: undefined, want: { big: true, partSize: 512 * KIB, parts: 4000 } },
  ])('$rule', ({ size, partSize, want }) => {
    expect(planUpload(size, partSize)).toEqual(want)
  })

  it.each([
    { rule: 'part size not a multiple of 1024', size: 10, partSize: 1000, code: 'FILE_PART_SIZE_INVALID' },
    { rule: '3 KiB does not divide 512 KiB', size: 10, partSize: 3 * KIB, code: 'FILE_PART_SIZE_INVALID' },
    { rule: 'part size above 512 KiB', size: 10, partSize: MIB, code: 'FILE_PART_SIZE_INVALID' },
    { rule: 'part size zero', size: 10, partSize: 0, code: 'FILE_PART_SIZE_INVALID' },
    { rule: 'an empty file has no parts', size: 0, partSize: undefined, code: 'FILE_PARTS_INVALID' },
    { rule: 'more than 4000 parts', size: 4000 * 512 * KIB + 1, partSize: undefined, code: 'FILE_PARTS_INVALID' },
    { rule: 'a negative size', size: -1, partSize: undefined, code: 'FILE_PARTS_INVALID' },
    { rule: 'a fractional size', size: 1.5, partSize: undefined, code: 'FILE_PARTS_INVALID' },
  ])('refuses $rule: $code', ({ size, partSize, code }) => {
    expect(() => planUpload(size, partSize)).toThrow(expect.objectContaining({ name: 'TransferError', code }))
  })
})

describe('download parts: limit % 4096 = 0 and 1048576 % limit = 0, so parts at k·limit never cross a 1 MiB boundary', () => {
  it.each([4 * KIB, 8 * KIB, 64 * KIB, 512 * KIB, MIB])('limit %i is allowed and every part stays in its 1 MiB chunk', (limit) => {
    expect(checkDownloadPartSize(limit)).toBe(limit)
    for (let k = 0; k < 2 * (MIB / limit) + 1; k++) {
      const offset = k * limit
      expect(offset % 4096).toBe(0)
      expect(Math.floor(offset / MIB)).toBe(Math.floor((offset + limit - 1) / MIB))
    }
  })

  it.each([1024, 12 * KIB, 2 * MIB, 0, 4095])('limit %i is LIMIT_INVALID', (limit) => {
    expect(() => checkDownloadPartSize(limit)).toThrow(expect.objectContaining({ code: 'LIMIT_INVALID' }))
  })

  it.each([
    { size: undefined, limit: MIB, parts: Infinity },
    { size: 0, limit: MIB, parts: 0 },
    { size: 1, limit: MIB, parts: 1 },
    { size: MIB, limit: MIB, parts: 1 },
    { size: MIB + 1, limit: MIB, parts: 2 },
    { size: 32 * MIB, limit: 512 * KIB, parts: 64 },
  ])('size $size in $limit-byte parts: $parts calls', ({ size, limit, parts }) => {
    expect(downloadPartCount(size, limit)).toBe(parts)
  })

  it('a negative size is SIZE_INVALID', () => {
    expect(() => downloadPartCount(-5, MIB)).toThrow(expect.objectContaining({ code: 'SIZE_INVALID' }))
  })

  it.each([0, 65, 1.5, Number.NaN])('parallel %s is PARALLEL_INVALID', (n) => {
    expect(() => checkParallel(n)).toThrow(expect.objectContaining({ code: 'PARALLEL_INVALID' }))
  })
})
