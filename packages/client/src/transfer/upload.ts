/**
 * client.upload(): a Blob or a stream saved as numbered parts over the DC's upload pool,
 * `parallel` calls at a time (core.telegram.org/api/files recommends such a queue over
 * several connections), and the InputFile that names the result.
 */
import { TransferError } from '../errors.ts'
import { blobParts, streamParts, type PartReader } from './part-source.ts'
import { checkParallel, planUpload } from './plan.ts'
import { inputFile, inputFileBig, readBool, saveBigFilePart, saveFilePart } from './tl-bytes.ts'
import { abortedBy, linkedController, type TransferInvoke } from './transfer-invoke.ts'

export interface UploadOptions {
  /** The InputFile's name (default 'file'). */
  name?: string
  /** Required for a stream; a Blob knows its size. */
  size?: number
  /** Aborting rejects with AbortedError and cancels every part in flight. */
  signal?: AbortSignal
  /** Bytes the server has acknowledged so far, and the total; called after each part. */
  onProgress?: (sent: number, total: number) => void
  /** Default 512 KiB: a multiple of 1024 that divides 524288. */
  partSize?: number
  /** Parts in flight at once (default 4). */
  parallel?: number
  dcId?: number
}

/** The InputFile as plain data, and `tl`, its boxed TL bytes to embed in the caller's own request. */
export interface UploadedFile {
  _: 'inputFile' | 'inputFileBig'
  id: bigint
  parts: number
  name: string
  /** inputFile only; sent empty (the server checks it only when given). */
  md5Checksum?: string
  tl: Uint8Array
}

const DEFAULT_PARALLEL = 4

function randomFileId(): bigint {
  return new DataView(crypto.getRandomValues(new Uint8Array(8)).buffer).getBigInt64(0, true)
}

export async function upload(invoke: TransferInvoke, file: Blob | ReadableStream<Uint8Array>, options: UploadOptions = {}): Promise<UploadedFile> {
  const { name = 'file', signal, onProgress, dcId, parallel = DEFAULT_PARALLEL } = options
  if (signal?.aborted) throw abortedBy(signal)
  const isBlob = file instanceof Blob
  const size = isBlob ? file.size : options.size
  if (size === undefined) throw new TransferError('SIZE_REQUIRED')
  const plan = planUpload(size, options.partSize)
  const lanes = Math.min(checkParallel(parallel), plan.parts)
  const stream = isBlob ? null : streamParts(file, size, plan.partSize)
  const readPart: PartReader = stream?.read ?? blobParts(file as Blob, plan.partSize)
  const id = randomFileId()
  const { controller, unlink } = linkedController(signal)
  let nextPart = 0
  let sent = 0
  // A stream is read in part order, one read at a time.
  let reading: Promise<unknown> = Promise.resolve()

  const sendParts = async (): Promise<void> => {
    while (nextPart < plan.parts) {
      const index = nextPart++
      const read = reading.then(() => readPart(index))
      reading = read.catch(() => undefined)
      const bytes = await read
      controller.signal.throwIfAborted()
      const request = plan.big ? saveBigFilePart(id, index, plan.parts, bytes) : saveFilePart(id, index, bytes)
      if (!readBool(await invoke(request, { pool: 'upload', dcId, signal: controller.signal }))) {
        throw new TransferError('BAD_ANSWER', `part ${index}: boolFalse`)
      }
      sent += bytes.length
      onProgress?.(sent, size)
    }
  }

  try {
    await Promise.all(Array.from({ length: lanes }, () =>
      sendParts().catch((error: unknown) => {
        // The first failure stops the other lanes and cancels their calls in the engine.
        controller.abort(error)
        throw error
      })))
  } catch (error) {
    stream?.release()
    if (signal?.aborted) throw abortedBy(signal)
    throw error
  } finally {
    unlink()
  }
  const { big, parts } = plan
  return big
    ? { _: 'inputFileBig', id, parts, name, tl: inputFileBig(id, parts, name) }
    : { _: 'inputFile', id, parts, name, md5Checksum: '', tl: inputFile(id, parts, name, '') }
}
