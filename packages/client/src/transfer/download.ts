/**
 * client.download(): a file read with upload.getFile over the DC's download pool, up to
 * `parallel` parts in flight, handed out in order as a ReadableStream. The stream pulls:
 * a part is asked for only while fewer than `parallel` parts are in flight or waiting to
 * be read, so a slow reader holds the download back instead of filling memory.
 */
import { TransferError } from '../errors.ts'
import { checkDownloadPartSize, checkParallel, downloadPartCount, MAX_DOWNLOAD_PART } from './plan.ts'
import { getFile, readUploadFile } from './tl-bytes.ts'
import { abortedBy, linkedController, type TransferInvoke } from './transfer-invoke.ts'

export interface DownloadOptions {
  /** The file's size when known: no part past it is asked for. Without it the first short part ends the file. */
  size?: number
  /** Aborting errors the stream with AbortedError and cancels every part in flight. */
  signal?: AbortSignal
  /** Bytes handed to the stream so far, and the size when known. */
  onProgress?: (received: number, total: number | undefined) => void
  dcId?: number
  /** upload.getFile's limit for every part (default 1 MiB): a multiple of 4096 that divides 1048576. */
  partSize?: number
  /** Parts in flight or read ahead at once (default 4). */
  parallel?: number
}

export function download(invoke: TransferInvoke, location: Uint8Array, options: DownloadOptions = {}): ReadableStream<Uint8Array> {
  const { size, signal, onProgress, dcId } = options
  const partSize = checkDownloadPartSize(options.partSize ?? MAX_DOWNLOAD_PART)
  const parallel = checkParallel(options.parallel ?? 4)
  const count = downloadPartCount(size, partSize)
  if (!(location instanceof Uint8Array) || location.length < 4 || location.length % 4 !== 0) throw new TransferError('LOCATION_INVALID')
  const where = location.slice()
  const { controller: all, unlink } = linkedController(signal)
  /** Parts asked for and not yet handed out, by index; each is cancelled alone when the file ends early. */
  const parts = new Map<number, { abort: AbortController; bytes: Promise<Uint8Array | null> }>()
  let next = 0
  let delivered = 0
  let received = 0

  const stop = (): void => {
    unlink()
    for (const p of parts.values()) p.abort.abort()
    parts.clear()
  }

  return new ReadableStream<Uint8Array>(
    {
      start(stream) {
        // The caller's abort or a failed part: every part in flight is cancelled in the engine.
        const fail = (): void => {
          stop()
          stream.error(signal?.aborted ? abortedBy(signal) : all.signal.reason)
        }
        if (all.signal.aborted) fail()
        else all.signal.addEventListener('abort', fail, { once: true })
      },
      async pull(stream) {
        while (next < count && next - delivered < parallel) {
          const abort = new AbortController()
          const bytes = invoke(getFile(where, next * partSize, partSize), { pool: 'download', dcId, signal: abort.signal }).then(readUploadFile)
          // A part failing while an earlier one is still awaited stops the download at once.
          parts.set(next++, { abort, bytes: bytes.catch((error: unknown) => (abort.signal.aborted || all.abort(error), null)) })
        }
        const bytes = await parts.get(delivered)?.bytes
        if (bytes === null || all.signal.aborted) return
        parts.delete(delivered++)
        if (bytes !== undefined && bytes.length > 0) {
          stream.enqueue(bytes)
          onProgress?.((received += bytes.length), size)
        }
        // The end of the file (a part shorter than its limit): parts asked for past it are cancelled.
        if (bytes === undefined || bytes.length < partSize || delivered >= count) {
          stop()
          stream.close()
        }
      },
      cancel: stop,
    },
    { highWaterMark: 0 },
  )
}
