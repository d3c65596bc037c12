/** The hand-written TL against the generated codec of packages/tl (the server's). */
import { deserializeObject, serializeObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { getFile, inputFile, inputFileBig, readBool, readUploadFile, saveBigFilePart, saveFilePart } from './tl-bytes.ts'

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + 7) & 0xff)
/** toEqual walks big arrays element by element through its matchers: slow for 1 MiB. */
function sameBytes(a: unknown, b: Uint8Array): boolean {
  return a instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i])
}
const location = { _: 'inputDocumentFileLocation', id: -5n, access_hash: 77n, file_reference: bytes(9), thumb_size: '' } as const

describe('transfer TL written by hand decodes as the schema says', () => {
  it.each([0, 1, 253, 254, 255, 1000, 512 * 1024])('saveFilePart and saveBigFilePart with %i bytes (1- and 4-byte length prefixes)', (n) => {
    const data = bytes(n)
    const small = deserializeObject(saveFilePart(-2n, 7, data))
    expect({ ...small, bytes: null }).toEqual({ _: 'upload.saveFilePart', file_id: -2n, file_part: 7, bytes: null })
    expect(sameBytes('bytes' in small && small.bytes, data)).toBe(true)
    const big = deserializeObject(saveBigFilePart(2n ** 62n, 3, 64, data))
    expect({ ...big, bytes: null }).toEqual({ _: 'upload.saveBigFilePart', file_id: 2n ** 62n, file_part: 3, file_total_parts: 64, bytes: null })
    expect(sameBytes('bytes' in big && big.bytes, data)).toBe(true)
  })

  it('getFile embeds the caller\'s boxed location as is', () => {
    const boxed = serializeObject(location)
    expect(deserializeObject(getFile(boxed, 5 * 1024 * 1024, 1024 * 1024))).toEqual({ _: 'upload.getFile', location, offset: 5n * 1024n * 1024n, limit: 1024 * 1024 })
  })

  it('inputFile and inputFileBig, names in UTF-8', () => {
    expect(deserializeObject(inputFile(9n, 3, 'fïle.bin', ''))).toEqual({ _: 'inputFile', id: 9n, parts: 3, name: 'fïle.bin', md5_checksum: '' })
    expect(deserializeObject(inputFileBig(-9n, 64, 'big'))).toEqual({ _: 'inputFileBig', id: -9n, parts: 64, name: 'big' })
  })

  it('reads Bool and the bytes of upload.file as the server writes them', () => {
    expect(readBool(serializeObject({ _: 'boolTrue' }))).toBe(true)
    expect(readBool(serializeObject({ _: 'boolFalse' }))).toBe(false)
    for (const n of [0, 3, 300, 1024 * 1024]) {
      const data = bytes(n)
      expect(sameBytes(readUploadFile(serializeObject({ _: 'upload.file', type: { _: 'storage.filePartial' }, mtime: 0, bytes: data })), data)).toBe(true)
    }
  })

  it.each([
    { what: 'a non-Bool answer', run: () => readBool(serializeObject({ _: 'storage.filePartial' })), code: 'BAD_ANSWER' },
    { what: 'another constructor for upload.File', run: () => readUploadFile(serializeObject({ _: 'inputFileBig', id: 1n, parts: 2, name: 'abcdefgh' })), code: 'BAD_ANSWER' },
    { what: 'a length past the end', run: () => readUploadFile(serializeObject({ _: 'upload.file', type: { _: 'storage.filePartial' }, mtime: 0, bytes: bytes(600) }).subarray(0, 500)), code: 'BAD_ANSWER' },
    { what: 'a CDN redirect', run: () => readUploadFile(Uint8Array.of(0x44, 0xda, 0x8c, 0xf1, ...new Uint8Array(16))), code: 'CDN_REDIRECT' },
  ])('refuses $what: $code', ({ run, code }) => {
    expect(run).toThrow(expect.objectContaining({ name: 'TransferError', code }))
  })
})
