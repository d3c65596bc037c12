/**
 * The API's rules for file parts and reads (core.telegram.org/api/files), pure, with
 * the error names Telegram answers. Upload: every part but the last has one part_size,
 * with part_size % 1024 = 0 and 524288 % part_size = 0, at most 512 KiB, file_part from
 * 0 to upload_max_fileparts_default - 1 (4000 parts). upload.getFile without `precise`:
 * offset and limit multiples of 4 KiB and 1048576 % limit = 0; with `precise`: multiples
 * of 1 KiB and limit <= 1 MiB; in both, the part stays inside one 1 MiB chunk.
 */
export const MAX_PART_BYTES = 512 * 1024
export const MAX_FILE_PARTS = 4000
const MIB = 1024 * 1024

export type PartError =
  | 'FILE_PART_EMPTY'
  | 'FILE_PART_TOO_BIG'
  | 'FILE_PART_INVALID'
  | 'FILE_PARTS_INVALID'
  | 'FILE_PART_SIZE_INVALID'
  | 'FILE_PART_SIZE_CHANGED'

export type ReadRangeError = 'OFFSET_INVALID' | 'LIMIT_INVALID'

/** A size every part but the last may have. */
export function isPartSize(size: number): boolean {
  return size > 0 && size % 1024 === 0 && MAX_PART_BYTES % size === 0
}

/**
 * What one part's number and size say on their own. `totalParts` is saveBigFilePart's
 * file_total_parts, null for saveFilePart.
 */
export function partShapeError(part: number, size: number, totalParts: number | null): PartError | null {
  if (size === 0) return 'FILE_PART_EMPTY'
  if (size > MAX_PART_BYTES) return 'FILE_PART_TOO_BIG'
  if (totalParts !== null && (totalParts < 1 || totalParts > MAX_FILE_PARTS)) return 'FILE_PARTS_INVALID'
  if (part < 0 || part >= (totalParts ?? MAX_FILE_PARTS)) return 'FILE_PART_INVALID'
  return null
}

export function getFileRangeError(offset: bigint, limit: number, precise: boolean): ReadRangeError | null {
  const unit = precise ? 1024n : 4096n
  if (offset < 0n || offset % unit !== 0n) return 'OFFSET_INVALID'
  if (limit <= 0 || limit > MIB || limit % Number(unit) !== 0 || (!precise && MIB % limit !== 0)) return 'LIMIT_INVALID'
  const mib = BigInt(MIB)
  if (offset / mib !== (offset + BigInt(limit) - 1n) / mib) return 'LIMIT_INVALID'
  return null
}
