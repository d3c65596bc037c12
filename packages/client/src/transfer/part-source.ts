/**
 * The parts of a file to upload, read only when a part is about to be sent, so an upload
 * holds at most `parallel` parts in memory: a Blob is sliced, a stream is read and cut.
 */
import { TransferError } from '../errors.ts'

export type PartReader = (index: number) => Promise<Uint8Array>

export function blobParts(blob: Blob, partSize: number): PartReader {
  return async (index) => new Uint8Array(await blob.slice(index * partSize, (index + 1) * partSize).arrayBuffer())
}

/**
 * A stream's parts in order: callers must ask for 0, 1, 2, … (upload.ts does, one read at
 * a time). A stream that ends before `size` bytes, or runs past it, is SIZE_MISMATCH.
 */
export function streamParts(stream: ReadableStream<Uint8Array>, size: number, partSize: number): { read: PartReader; release(): void } {
  const reader = stream.getReader()
  let held: Uint8Array = new Uint8Array(0)
  let consumed = 0
  const mismatch = (): TransferError => new TransferError('SIZE_MISMATCH')
  const read: PartReader = async (index) => {
    const want = Math.min(partSize, size - index * partSize)
    const part = new Uint8Array(want)
    let filled = 0
    while (filled < want) {
      if (held.length === 0) {
        const { done, value } = await reader.read()
        if (done) throw mismatch()
        held = value
      }
      const take = Math.min(want - filled, held.length)
      part.set(held.subarray(0, take), filled)
      held = held.subarray(take)
      filled += take
    }
    consumed += want
    if (consumed === size && (held.length > 0 || !(await reader.read()).done)) throw mismatch()
    return part
  }
  return { read, release: () => void reader.cancel().catch(() => undefined) }
}
