/** The conformance server's file store: part sizes across a file, reads, and its memory caps. */
import { describe, expect, it } from 'vitest'
import { answerFileCall } from './file-calls.ts'
import { FileStore } from './files.ts'

const KIB = 1024
const bytes = (n: number, seed = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff)
const location = (id: bigint) => ({ _: 'inputDocumentFileLocation', id, access_hash: 0n, file_reference: new Uint8Array(0), thumb_size: '' }) as const

describe('parts of one file: every part but the last is one part_size, the last no longer', () => {
  it.each([
    { rule: 'in order, a short last part', saves: [[0, 4 * KIB], [1, 4 * KIB], [2, 100]], want: [null, null, null] },
    { rule: 'out of order, the last first', saves: [[2, 100], [0, 4 * KIB], [1, 4 * KIB]], want: [null, null, null] },
    { rule: 'a second part size', saves: [[0, 4 * KIB], [1, 8 * KIB], [2, 100]], want: [null, 'FILE_PART_SIZE_CHANGED', null] },
    { rule: 'an odd size that stops being the last', saves: [[0, 100], [1, 4 * KIB]], want: [null, 'FILE_PART_SIZE_INVALID'] },
    { rule: 'a non-last part of a size that does not divide 512 KiB', saves: [[1, 100], [0, 3 * KIB]], want: [null, 'FILE_PART_SIZE_INVALID'] },
    { rule: 'a last part longer than part_size', saves: [[0, 4 * KIB], [1, 8 * KIB]], want: [null, 'FILE_PART_SIZE_CHANGED'] },
    { rule: 'a part saved again (a retry) replaces it', saves: [[0, 4 * KIB], [0, 4 * KIB], [1, 10]], want: [null, null, null] },
  ])('saveFilePart, $rule', ({ saves, want }) => {
    const store = new FileStore()
    expect(saves.map(([part, size]) => store.savePart(1n, part as number, bytes(size as number), null))).toEqual(want)
  })

  it('saveBigFilePart knows the last part from file_total_parts, and file_total_parts may not change', () => {
    const store = new FileStore()
    expect(store.savePart(2n, 2, bytes(100), 3)).toBeNull()
    expect(store.savePart(2n, 1, bytes(100), 3)).toBe('FILE_PART_SIZE_INVALID')
    expect(store.savePart(2n, 1, bytes(4 * KIB), 3)).toBeNull()
    expect(store.savePart(2n, 0, bytes(4 * KIB), 4)).toBe('FILE_PARTS_INVALID')
    expect(store.savePart(2n, 0, bytes(4 * KIB), null)).toBe('FILE_PARTS_INVALID')
  })
})

describe('upload.getFile reads', () => {
  const store = new FileStore()
  const parts = [bytes(8 * KIB, 1), bytes(8 * KIB, 2), bytes(3000, 3)]
  for (const [i, p] of parts.entries()) expect(answerFileCall(store, { _: 'upload.saveBigFilePart', file_id: 9n, file_part: i, file_total_parts: 3, bytes: p })).toEqual({ _: 'boolTrue' })
  const whole = Buffer.concat(parts)
  const get = (offset: number, limit: number, precise = false) =>
    answerFileCall(store, { _: 'upload.getFile', location: location(9n), offset: BigInt(offset), limit, ...(precise && { precise }) })

  it.each([
    { offset: 0, limit: 4 * KIB },
    { offset: 4 * KIB, limit: 8 * KIB },
    { offset: 16 * KIB, limit: 4 * KIB },
    { offset: 0, limit: 1024 * KIB },
    { offset: 20 * KIB, limit: 4 * KIB },
  ])('offset $offset limit $limit: the bytes across parts, short at the end, empty past it', ({ offset, limit }) => {
    const got = get(offset, limit)
    if (got._ !== 'upload.file') throw new Error(`got ${got._}`)
    expect(Buffer.from(got.bytes).equals(whole.subarray(offset, offset + limit))).toBe(true)
  })

  it.each([
    { what: 'limit 1000', offset: 0, limit: 1000, precise: false, error: 'LIMIT_INVALID' },
    { what: 'offset 1 KiB', offset: KIB, limit: 4 * KIB, precise: false, error: 'OFFSET_INVALID' },
    { what: 'a part across a MiB', offset: 1020 * KIB, limit: 8 * KIB, precise: false, error: 'LIMIT_INVALID' },
  ])('$what is $error', ({ offset, limit, precise, error }) => {
    expect(get(offset, limit, precise)).toEqual({ _: 'rpc_error', error_code: 400, error_message: error })
  })

  it('precise reads 1 KiB slices', () => {
    const got = get(KIB, KIB, true)
    expect(got._ === 'upload.file' && Buffer.from(got.bytes).equals(whole.subarray(KIB, 2 * KIB))).toBe(true)
  })

  it('an unknown file is FILE_ID_INVALID; a file with a part missing names it', () => {
    expect(answerFileCall(store, { _: 'upload.getFile', location: location(404n), offset: 0n, limit: 4096 })).toMatchObject({ error_message: 'FILE_ID_INVALID' })
    store.savePart(10n, 1, bytes(10), 2)
    expect(answerFileCall(store, { _: 'upload.getFile', location: location(10n), offset: 0n, limit: 4096 })).toMatchObject({ error_message: 'FILE_PART_0_MISSING' })
  })
})

describe('memory stays bounded', () => {
  it('a file over maxFileBytes is refused with FILE_PARTS_INVALID and keeps what it had', () => {
    const store = new FileStore({ maxFileBytes: 16 * KIB, maxTotalBytes: 64 * KIB })
    for (let i = 0; i < 4; i++) expect(store.savePart(1n, i, bytes(4 * KIB), null)).toBeNull()
    expect(store.savePart(1n, 4, bytes(4 * KIB), null)).toBe('FILE_PARTS_INVALID')
    expect(store.usedBytes).toBe(16 * KIB)
  })

  it('past maxTotalBytes the files touched longest ago go first; a read counts as a touch', () => {
    const store = new FileStore({ maxFileBytes: 16 * KIB, maxTotalBytes: 32 * KIB })
    for (const id of [1n, 2n]) for (let i = 0; i < 4; i++) store.savePart(id, i, bytes(4 * KIB), null)
    expect(store.read(1n, 0, 4096)).toHaveProperty('bytes')
    expect(store.savePart(3n, 0, bytes(4 * KIB), null)).toBeNull()
    expect(store.usedBytes).toBeLessThanOrEqual(32 * KIB)
    expect(store.read(2n, 0, 4096)).toEqual({ error: 'FILE_ID_INVALID' })
    expect(store.read(1n, 0, 4096)).toHaveProperty('bytes')
    expect(store.read(3n, 0, 4096)).toHaveProperty('bytes')
  })
})
