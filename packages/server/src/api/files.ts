/**
 * Uploaded files in memory, kept to the API's part rules (file-rules.ts) and to two caps:
 * a file larger than `maxFileBytes` is refused (FILE_PARTS_INVALID), and past
 * `maxTotalBytes` the files touched longest ago are dropped, as Telegram keeps parts
 * "between several minutes and several hours, depending on how busy the storage is".
 */
import { isPartSize, partShapeError, type PartError } from './file-rules.ts'

export interface FileLimits {
  maxFileBytes: number
  maxTotalBytes: number
}

export const DEFAULT_FILE_LIMITS: FileLimits = { maxFileBytes: 64 * 1024 * 1024, maxTotalBytes: 256 * 1024 * 1024 }

interface StoredFile {
  /** Saved with saveBigFilePart, with this file_total_parts; null for saveFilePart. */
  totalParts: number | null
  /** The size of every part but the last, once a part is known not to be the last. */
  partSize: number | null
  maxIndex: number
  parts: Map<number, Buffer>
  bytes: number
}

export type ReadResult = { bytes: Buffer } | { error: string }

export class FileStore {
  /** In the order last touched, oldest first (a Map keeps insertion order). */
  private readonly files = new Map<bigint, StoredFile>()
  private total = 0

  constructor(private readonly limits: FileLimits = DEFAULT_FILE_LIMITS) {}

  get usedBytes(): number {
    return this.total
  }

  /** upload.saveFilePart (totalParts null) or upload.saveBigFilePart: the error name, or null when saved. */
  savePart(fileId: bigint, part: number, bytes: Uint8Array, totalParts: number | null): PartError | null {
    const shape = partShapeError(part, bytes.length, totalParts)
    if (shape !== null) return shape
    const f = this.files.get(fileId) ?? { totalParts, partSize: null, maxIndex: -1, parts: new Map<number, Buffer>(), bytes: 0 }
    if (f.totalParts !== totalParts) return 'FILE_PARTS_INVALID'
    const sizes = checkSizes(f, part, bytes.length)
    if ('error' in sizes) return sizes.error
    const grown = f.bytes - (f.parts.get(part)?.length ?? 0) + bytes.length
    if (grown > this.limits.maxFileBytes) return 'FILE_PARTS_INVALID'
    this.files.delete(fileId)
    this.total += grown - f.bytes
    this.evictFor()
    // A copy: `bytes` may be a view into a whole received packet.
    f.parts.set(part, Buffer.from(bytes))
    f.bytes = grown
    f.partSize = sizes.partSize
    f.maxIndex = Math.max(f.maxIndex, part)
    this.files.set(fileId, f)
    return null
  }

  /** upload.getFile's data (the caller has checked offset and limit); past the end, empty. */
  read(fileId: bigint, offset: number, limit: number): ReadResult {
    const f = this.files.get(fileId)
    if (f === undefined) return { error: 'FILE_ID_INVALID' }
    const count = f.totalParts ?? f.maxIndex + 1
    for (let i = 0; i < count; i++) if (!f.parts.has(i)) return { error: `FILE_PART_${i}_MISSING` }
    this.files.delete(fileId)
    this.files.set(fileId, f)
    const partSize = f.partSize ?? (f.parts.get(0) as Buffer).length
    const out: Buffer[] = []
    let at = offset
    const end = offset + limit
    for (let i = Math.floor(offset / partSize); i < count && at < end; i++) {
      const p = f.parts.get(i) as Buffer
      const start = at - i * partSize
      const slice = p.subarray(start, Math.min(p.length, start + end - at))
      if (slice.length === 0) break
      out.push(slice)
      at += slice.length
    }
    return { bytes: Buffer.concat(out) }
  }

  clear(): void {
    this.files.clear()
    this.total = 0
  }

  private evictFor(): void {
    for (const [id, f] of this.files) {
      if (this.total <= this.limits.maxTotalBytes) return
      this.files.delete(id)
      this.total -= f.bytes
    }
  }
}

/**
 * Whether part `part` of `size` bytes fits the parts already saved: every part but the
 * last is one part_size (a multiple of 1 KiB dividing 512 KiB), the last no longer. The
 * last is file_total_parts - 1 for a big file, else the highest number seen so far, so a
 * part that stops being the last is checked again. Returns the part_size now known.
 */
function checkSizes(f: StoredFile, part: number, size: number): { error: PartError } | { partSize: number | null } {
  const fail = (error: PartError): { error: PartError } => ({ error })
  const last = f.totalParts !== null ? f.totalParts - 1 : Math.max(f.maxIndex, part)
  let partSize = f.partSize
  const notLast = (n: number): PartError | null => {
    if (!isPartSize(n)) return 'FILE_PART_SIZE_INVALID'
    if (partSize !== null && n !== partSize) return 'FILE_PART_SIZE_CHANGED'
    partSize = n
    return null
  }
  if (part !== last) {
    const e = notLast(size)
    if (e !== null) return fail(e)
  }
  const previousLast = f.parts.get(f.maxIndex)
  if (f.totalParts === null && part > f.maxIndex && previousLast !== undefined) {
    const e = notLast(previousLast.length)
    if (e !== null) return fail(e)
  }
  const lastSize = part === last ? size : f.parts.get(last)?.length
  if (partSize !== null && lastSize !== undefined && lastSize > partSize) return fail('FILE_PART_SIZE_CHANGED')
  return { partSize }
}
