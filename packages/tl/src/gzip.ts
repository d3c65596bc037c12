/**
 * gzip_packed payloads (mtproto-tl.md §1) through the web-standard Compression
 * Streams, so Node and browsers share one path. Inflation is capped: a few KiB of
 * hostile input must not become gigabytes in memory.
 */
import { TlError } from './errors.ts'

export const GZIP_MAX_BYTES_DEFAULT = 16 * 1024 * 1024

export async function gzipPack(data: Uint8Array): Promise<Uint8Array> {
  return collect(streamOf(data).pipeThrough(new CompressionStream('gzip')), Infinity)
}

/**
 * Inflates a gzip (1f 8b) or zlib (RFC 1950) stream; peers differ on which one they
 * put in gzip_packed. Over `maxBytes` of output → GZIP_TOO_LARGE; anything
 * malformed or truncated → GZIP_INVALID.
 */
export async function gzipUnpack(packed: Uint8Array, maxBytes = GZIP_MAX_BYTES_DEFAULT): Promise<Uint8Array> {
  const format = detectFormat(packed)
  if (format === undefined) throw new TlError('GZIP_INVALID', 'neither a gzip nor a zlib header')
  try {
    return await collect(streamOf(packed).pipeThrough(new DecompressionStream(format)), maxBytes)
  } catch (e) {
    if (e instanceof TlError) throw e
    throw new TlError('GZIP_INVALID', 'corrupt compressed stream', { cause: e })
  }
}

function detectFormat(b: Uint8Array): CompressionFormat | undefined {
  const b0 = b[0] ?? 0
  const b1 = b[1] ?? 0
  if (b.length < 2) return undefined
  if (b0 === 0x1f && b1 === 0x8b) return 'gzip'
  // zlib: CM = 8 (deflate), CINFO <= 7, and the header checksum (RFC 1950 §2.2).
  if ((b0 & 0x0f) === 8 && b0 >> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0) return 'deflate'
  return undefined
}

function streamOf(data: Uint8Array): ReadableStream<Uint8Array<ArrayBuffer>> {
  const copy = new Uint8Array(data)
  return new ReadableStream({
    start(controller) {
      controller.enqueue(copy)
      controller.close()
    },
  })
}

async function collect(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new TlError('GZIP_TOO_LARGE', `inflated output exceeds ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}
