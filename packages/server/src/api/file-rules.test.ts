/** core.telegram.org/api/files, "Downloading files" and "Uploading files": each row names its rule. */
import { describe, expect, it } from 'vitest'
import { getFileRangeError, isPartSize, partShapeError } from './file-rules.ts'

const KIB = 1024
const MIB = 1024 * KIB

describe('upload.getFile offset and limit', () => {
  it.each([
    { rule: 'a whole first MiB', offset: 0, limit: MIB, precise: false, want: null },
    { rule: '4 KiB at a 4 KiB offset', offset: 4 * KIB, limit: 4 * KIB, precise: false, want: null },
    { rule: '512 KiB in the second half of a MiB', offset: 512 * KIB, limit: 512 * KIB, precise: false, want: null },
    { rule: 'offsets past 4 GiB (offset is a long)', offset: 5 * 1024 * MIB, limit: MIB, precise: false, want: null },
    { rule: 'offset not a multiple of 4 KiB', offset: KIB, limit: 4 * KIB, precise: false, want: 'OFFSET_INVALID' },
    { rule: 'a negative offset', offset: -4 * KIB, limit: 4 * KIB, precise: false, want: 'OFFSET_INVALID' },
    { rule: 'limit not a multiple of 4 KiB', offset: 0, limit: 1000, precise: false, want: 'LIMIT_INVALID' },
    { rule: '1 MiB not divisible by limit (12 KiB)', offset: 0, limit: 12 * KIB, precise: false, want: 'LIMIT_INVALID' },
    { rule: 'limit above 1 MiB', offset: 0, limit: 2 * MIB, precise: false, want: 'LIMIT_INVALID' },
    { rule: 'limit zero', offset: 0, limit: 0, precise: false, want: 'LIMIT_INVALID' },
    { rule: 'a part crossing a 1 MiB boundary', offset: 768 * KIB, limit: 512 * KIB, precise: false, want: 'LIMIT_INVALID' },
    { rule: 'precise: 1 KiB offset and 3 KiB limit', offset: KIB, limit: 3 * KIB, precise: true, want: null },
    { rule: 'precise: offset not a multiple of 1 KiB', offset: 512, limit: KIB, precise: true, want: 'OFFSET_INVALID' },
    { rule: 'precise: limit not a multiple of 1 KiB', offset: 0, limit: 1500, precise: true, want: 'LIMIT_INVALID' },
    { rule: 'precise: limit above 1 MiB', offset: 0, limit: MIB + KIB, precise: true, want: 'LIMIT_INVALID' },
    { rule: 'precise: still inside one 1 MiB chunk', offset: MIB - KIB, limit: 2 * KIB, precise: true, want: 'LIMIT_INVALID' },
  ])('$rule: $want', ({ offset, limit, precise, want }) => {
    expect(getFileRangeError(BigInt(offset), limit, precise)).toBe(want)
  })
})

describe('upload.saveFilePart / saveBigFilePart, one part on its own', () => {
  it.each([
    { rule: 'part_size % 1024 = 0 and 524288 % part_size = 0', size: 128 * KIB, want: true },
    { rule: '1 KiB is the smallest part size', size: KIB, want: true },
    { rule: '512 KiB is the largest', size: 512 * KIB, want: true },
    { rule: '3 KiB does not divide 512 KiB', size: 3 * KIB, want: false },
    { rule: '1000 is not a multiple of 1024', size: 1000, want: false },
  ])('isPartSize: $rule', ({ size, want }) => {
    expect(isPartSize(size)).toBe(want)
  })

  it.each([
    { rule: 'an empty part', part: 0, size: 0, total: null, want: 'FILE_PART_EMPTY' },
    { rule: 'a part over 512 KiB', part: 0, size: 512 * KIB + 1, total: null, want: 'FILE_PART_TOO_BIG' },
    { rule: 'file_part below 0', part: -1, size: 10, total: null, want: 'FILE_PART_INVALID' },
    { rule: 'file_part 4000 and up', part: 4000, size: 10, total: null, want: 'FILE_PART_INVALID' },
    { rule: 'file_part 3999 is the last allowed', part: 3999, size: 10, total: null, want: null },
    { rule: 'file_total_parts 0', part: 0, size: 10, total: 0, want: 'FILE_PARTS_INVALID' },
    { rule: 'file_total_parts above 4000', part: 0, size: 10, total: 4001, want: 'FILE_PARTS_INVALID' },
    { rule: 'file_part past file_total_parts', part: 5, size: 10, total: 5, want: 'FILE_PART_INVALID' },
    { rule: 'the last of file_total_parts', part: 4, size: 10, total: 5, want: null },
  ])('$rule: $want', ({ part, size, total, want }) => {
    expect(partShapeError(part, size, total)).toBe(want)
  })
})
