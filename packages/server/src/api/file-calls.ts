/** upload.saveFilePart, upload.saveBigFilePart and upload.getFile, answered from a FileStore. */
import type { TlObject } from '@pfs-web/tl'
import { getFileRangeError } from './file-rules.ts'
import type { FileStore } from './files.ts'

type FileCall = Extract<TlObject, { _: 'upload.saveFilePart' | 'upload.saveBigFilePart' | 'upload.getFile' }>

const error = (message: string): TlObject => ({ _: 'rpc_error', error_code: 400, error_message: message })

export function answerFileCall(files: FileStore, query: FileCall): TlObject {
  if (query._ === 'upload.getFile') {
    const range = getFileRangeError(query.offset, query.limit, query.precise === true)
    if (range !== null) return error(range)
    const loc = query.location
    if (loc._ !== 'inputDocumentFileLocation') return error('LOCATION_INVALID')
    const read = files.read(loc.id, Number(query.offset), query.limit)
    if ('error' in read) return error(read.error)
    return { _: 'upload.file', type: { _: 'storage.filePartial' }, mtime: 0, bytes: read.bytes }
  }
  const total = query._ === 'upload.saveBigFilePart' ? query.file_total_parts : null
  const refused = files.savePart(query.file_id, query.file_part, query.bytes, total)
  return refused === null ? { _: 'boolTrue' } : error(refused)
}
