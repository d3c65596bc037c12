/**
 * The few TL objects file transfer needs, written and read by hand (schema: upload.*,
 * inputFile, inputFileBig in packages/tl/schema/pfs.tl). The main thread carries no TL
 * codec (issue #14's size budget); the engine passes invoke bytes through untouched.
 */
import { TransferError } from '../errors.ts'

const SAVE_FILE_PART = 0xb304a621
const SAVE_BIG_FILE_PART = 0xde7b673d
const GET_FILE = 0xbe5335be
const INPUT_FILE = 0xf52ff27f
const INPUT_FILE_BIG = 0xfa4f0bb5
const UPLOAD_FILE = 0x096a18d5
const UPLOAD_FILE_CDN_REDIRECT = 0xf18cda44
const BOOL_TRUE = 0x997275b5
const BOOL_FALSE = 0xbc799737

/** One field: a 32-bit word, a 64-bit word, TL `bytes`/`string`, or [boxed object] written as is. */
type Field = number | bigint | Uint8Array | [Uint8Array]

/** TL `bytes`: a length prefix (1 byte, or 0xfe and 3 bytes), the data, zero padding to 4. */
const bytesSize = (n: number): number => ((n < 254 ? 1 : 4) + n + 3) & ~3

function serialize(fields: Field[]): Uint8Array {
  let size = 0
  for (const f of fields) size += typeof f === 'number' ? 4 : typeof f === 'bigint' ? 8 : Array.isArray(f) ? f[0].length : bytesSize(f.length)
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let at = 0
  for (const f of fields) {
    if (typeof f === 'number') {
      view.setUint32(at, f >>> 0, true)
      at += 4
    } else if (typeof f === 'bigint') {
      view.setBigInt64(at, BigInt.asIntN(64, f), true)
      at += 8
    } else if (Array.isArray(f)) {
      out.set(f[0], at)
      at += f[0].length
    } else {
      const n = f.length
      if (n < 254) out[at++] = n
      else {
        view.setUint32(at, (n << 8) | 0xfe, true)
        at += 4
      }
      out.set(f, at)
      at = (at + n + 3) & ~3
    }
  }
  return out
}

/** TL `string` is UTF-8 `bytes`. */
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

export function saveFilePart(fileId: bigint, part: number, bytes: Uint8Array): Uint8Array {
  return serialize([SAVE_FILE_PART, fileId, part, bytes])
}

export function saveBigFilePart(fileId: bigint, part: number, totalParts: number, bytes: Uint8Array): Uint8Array {
  return serialize([SAVE_BIG_FILE_PART, fileId, part, totalParts, bytes])
}

/** `location` is a boxed InputFileLocation as the caller's TL layer wrote it. */
export function getFile(location: Uint8Array, offset: number, limit: number): Uint8Array {
  return serialize([GET_FILE, 0, [location], BigInt(offset), limit])
}

export function inputFile(id: bigint, parts: number, name: string, md5Checksum: string): Uint8Array {
  return serialize([INPUT_FILE, id, parts, text(name), text(md5Checksum)])
}

export function inputFileBig(id: bigint, parts: number, name: string): Uint8Array {
  return serialize([INPUT_FILE_BIG, id, parts, text(name)])
}

const badAnswer = (): TransferError => new TransferError('BAD_ANSWER')

/** A Bool answer (saveFilePart, saveBigFilePart). */
export function readBool(answer: Uint8Array): boolean {
  const id = answer.length === 4 ? new DataView(answer.buffer, answer.byteOffset, 4).getUint32(0, true) : 0
  if (id === BOOL_TRUE) return true
  if (id === BOOL_FALSE) return false
  throw badAnswer()
}

/**
 * The data of an upload.file answer, as a view into `answer` (no copy):
 * upload.file#096a18d5 type:storage.FileType mtime:int bytes:bytes. Every storage.FileType
 * constructor is bare of fields, so `bytes` starts at offset 12.
 */
export function readUploadFile(answer: Uint8Array): Uint8Array {
  if (answer.length < 16) throw badAnswer()
  const view = new DataView(answer.buffer, answer.byteOffset, answer.length)
  const id = view.getUint32(0, true)
  if (id === UPLOAD_FILE_CDN_REDIRECT) throw new TransferError('CDN_REDIRECT')
  if (id !== UPLOAD_FILE) throw badAnswer()
  const first = answer[12] as number
  const long = first === 254
  const n = long ? view.getUint32(12, true) >>> 8 : first
  const start = 12 + (long ? 4 : 1)
  if (first === 255 || start + n > answer.length) throw badAnswer()
  return answer.subarray(start, start + n)
}
