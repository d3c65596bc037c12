/**
 * client.download(): a file read with upload.getFile over the DC's download pool, up to
 * `parallel` parts in flight, handed out in order as a ReadableStream. The stream pulls:
 * a part is asked for only while fewer than `parallel` parts are in flight or waiting to
 * be read, so a slow reader holds the download back instead of filling memory.
 */
import { AbortedError, TransferError } from '../errors.ts'
import { checkDownloadPartSize, checkParallel, downloadPartCount, MAX_DOWNLOAD_PART } from './plan.ts'
import { getFile, readUploadFile } from './tl-bytes.ts'
import { linkedController, type TransferInvoke } from './transfer-invoke.ts'

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

const DEFAULT_PARALLEL = 4

export function download(invoke: TransferInvoke, location: Uint8Array, options: DownloadOptions = {}): ReadableStream<Uint8Array> {
  const { size, signal, onProgress, dcId } = options
  const partSize = checkDownloadPartSize(options.partSize ?? MAX_DOWNLOAD_PART)
  const parallel = checkParallel(options.parallel ?? DEFAULT_PARALLEL)
  const count = downloadPartCount(size, partSize)
  if (!(location instanceof Uint8Array) || location.length < 4 || location.length % 4 !== 0) {
    throw new TransferError('LOCATION_INVALID', 'location must be a boxed InputFileLocation')
  }
  const where = location.slice()
  const { controller: all, unlink } = linkedController(signal)
  /** Parts asked for and not yet handed out, by index; each can be cancelled alone. */
  const parts = new Map<number, { abort: AbortController; bytes: Promise<Uint8Array> }>()
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
        if (signal?.aborted) {
          stream.error(new AbortedError('download aborted', { cause: signal.reason }))
          stop()
          return
        }
        all.signal.addEventListener('abort', () => {
          // The caller's abort or a failed part: every part in flight is cancelled in the engine.
          const reason: unknown = all.signal.reason
          stop()
          stream.error(signal?.aborted ? new AbortedError('download aborted', { cause: signal.reason }) : reason)
        }, { once: true })
      },
      async pull(stream) {
        if (delivered >= count) {
          stop()
          return stream.close()
        }
        while (next < count && next - delivered < parallel) {
          const index = next++
          const abort = new AbortController()
          const onAll = (): void => abort.abort(all.signal.reason)
          all.signal.addEventListener('abort', onAll, { once: true })
          const bytes = invoke(getFile(where, index * partSize, partSize), { pool: 'download', dcId, signal: abort.signal })
            .then(readUploadFile)
            .finally(() => all.signal.removeEventListener('abort', onAll))
          // A part that fails while an earlier one is still awaited stops the download at once.
          bytes.catch((error: unknown) => {
            if (!abort.signal.aborted) all.abort(error)
          })
          parts.set(index, { abort, bytes })
        }
        const part = parts.get(delivered)
        if (part === undefined) return
        const bytes = await part.bytes.catch(() => null)
        if (bytes === null || all.signal.aborted) return
        parts.delete(delivered++)
        if (bytes.length > partSize) return all.abort(new TransferError('BAD_ANSWER', `part ${delivered - 1} is longer than its limit`))
        if (bytes.length > 0) {
          received += bytes.length
          stream.enqueue(bytes)
          onProgress?.(received, size)
        }
        if (bytes.length < partSize || delivered >= count) {
          // The end of the file: parts asked for past it are cancelled.
          stop()
          stream.close()
        }
      },
      cancel() {
        stop()
      },
    },
    { highWaterMark: 0 },
  )
}
