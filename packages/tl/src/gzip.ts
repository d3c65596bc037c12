/**
 * gzip_packed payloads (mtproto-tl.md §1) through the web-standard Compression
 * Streams, so Node and browsers share one path. Inflation is capped: a few KiB of
 * hostile input must not become gigabytes in memory.
 */
import { TlError } from './errors.ts'

export const GZIP_MAX_BYTES_DEFAULT = 16 * 1024 * 1024
/** What a whole engine may hold inflated at once: two answers at the per-message cap. */
export const GZIP_BUDGET_BYTES_DEFAULT = 2 * GZIP_MAX_BYTES_DEFAULT

/**
 * Inflated bytes held by every gzipUnpack in flight that shares it (issue #18). The
 * per-message cap stops one bomb; 32 bombs at once each stayed under it and together held
 * 575 MiB. Each unpack takes from the budget as its output grows and gives all of it back
 * when it ends, delivered or refused.
 */
export class InflateBudget {
  private used = 0
  private high = 0

  constructor(readonly maxBytes: number = GZIP_BUDGET_BYTES_DEFAULT) {
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`)
  }

  /** Bytes held now. */
  get inUse(): number {
    return this.used
  }

  /** The most ever held at once. */
  get peak(): number {
    return this.high
  }

  /** Takes `n` bytes; false (and nothing taken) when that would pass the budget. */
  take(n: number): boolean {
    if (this.used + n > this.maxBytes) return false
    this.used += n
    this.high = Math.max(this.high, this.used)
    return true
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n)
  }
}

export async function gzipPack(data: Uint8Array): Promise<Uint8Array> {
  return collect(streamOf(data).pipeThrough(new CompressionStream('gzip')), Infinity, undefined)
}

/**
 * Inflates a gzip (1f 8b) or zlib (RFC 1950) stream; peers differ on which one they
 * put in gzip_packed. Over `maxBytes` of output → GZIP_TOO_LARGE; output that would pass
 * the shared `budget` → GZIP_BUDGET; anything malformed or truncated → GZIP_INVALID.
 */
export async function gzipUnpack(packed: Uint8Array, maxBytes = GZIP_MAX_BYTES_DEFAULT, budget?: InflateBudget): Promise<Uint8Array> {
  const format = detectFormat(packed)
  if (format === undefined) throw new TlError('GZIP_INVALID', 'neither a gzip nor a zlib header')
  try {
    return await collect(streamOf(packed).pipeThrough(new DecompressionStream(format)), maxBytes, budget)
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

async function collect(stream: ReadableStream<Uint8Array>, maxBytes: number, budget: InflateBudget | undefined): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (total + value.length > maxBytes) throw new TlError('GZIP_TOO_LARGE', `inflated output exceeds ${maxBytes} bytes`)
      if (budget !== undefined && !budget.take(value.length)) {
        throw new TlError('GZIP_BUDGET', `inflated output in flight exceeds ${budget.maxBytes} bytes`)
      }
      total += value.length
      chunks.push(value)
    }
    const out = new Uint8Array(total)
    let at = 0
    for (const c of chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  } catch (e) {
    await reader.cancel().catch(() => undefined)
    throw e
  } finally {
    budget?.give(total)
  }
}
