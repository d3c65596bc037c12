/**
 * How a file is cut into parts, by the rules of core.telegram.org/api/files (pure; table
 * tests in plan.test.ts name each rule).
 *
 * Upload: every part but the last has the same part_size, part_size % 1024 = 0 and
 * 524288 % part_size = 0; the last part may be shorter. upload.saveBigFilePart (with
 * file_total_parts) from 10 MiB on, upload.saveFilePart below. At most
 * upload_max_fileparts_default parts (4000).
 *
 * Download (upload.getFile without `precise`): offset % 4096 = 0, limit % 4096 = 0,
 * 1048576 % limit = 0, and a part never crosses a 1 MiB boundary:
 * floor(offset / 2^20) = floor((offset + limit - 1) / 2^20). Parts at multiples of one
 * limit that divides 1 MiB keep all four. A part shorter than its limit is the file's end.
 */
import { TransferError } from '../errors.ts'

export const KIB = 1024
export const MIB = 1024 * KIB
export const BIG_FILE_FROM = 10 * MIB
export const MAX_UPLOAD_PART = 512 * KIB
export const MAX_FILE_PARTS = 4000
export const MAX_DOWNLOAD_PART = MIB

export interface UploadPlan {
  /** upload.saveBigFilePart and inputFileBig. */
  big: boolean
  partSize: number
  parts: number
}

const divides = (part: number, whole: number): boolean => Number.isInteger(part) && part > 0 && whole % part === 0

export function planUpload(size: number, partSize: number = MAX_UPLOAD_PART): UploadPlan {
  if (!divides(partSize, MAX_UPLOAD_PART) || partSize % KIB !== 0) {
    throw new TransferError('FILE_PART_SIZE_INVALID', `${partSize}`)
  }
  const parts = Math.ceil(size / partSize)
  if (!Number.isSafeInteger(size) || parts < 1 || parts > MAX_FILE_PARTS) {
    throw new TransferError('FILE_PARTS_INVALID', `${size}`)
  }
  return { big: size >= BIG_FILE_FROM, partSize, parts }
}

/** The download limit every part asks for; throws LIMIT_INVALID when the API would. */
export function checkDownloadPartSize(partSize: number): number {
  if (!divides(partSize, MAX_DOWNLOAD_PART) || partSize % (4 * KIB) !== 0) {
    throw new TransferError('LIMIT_INVALID', `${partSize}`)
  }
  return partSize
}

/** Parts to ask for: Infinity when the size is unknown (the first short part ends the file). */
export function downloadPartCount(size: number | undefined, partSize: number): number {
  if (size === undefined) return Infinity
  if (!Number.isSafeInteger(size) || size < 0) throw new TransferError('SIZE_INVALID', `${size}`)
  return Math.ceil(size / partSize)
}

/** Calls in flight at once: a whole number from 1 to 64. */
export function checkParallel(parallel: number): number {
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new TransferError('PARALLEL_INVALID', `${parallel}`)
  return parallel
}
