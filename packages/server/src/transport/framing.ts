import { ServerTransportError } from '../errors.ts'

/** The MTProto framings a stream may carry (transports.md §1). */
export type Framing = 'abridged' | 'intermediate' | 'padded'

export interface Frame {
  payload: Buffer
  /** The sender asked for a quick ack (MSB of the length). */
  quickAck: boolean
}

/**
 * Splits a byte stream into frames. Lengths are validated before any payload is awaited:
 * zero, unaligned or beyond `maxLength` throw, so a hostile 16 MiB length never buffers.
 */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0)

  constructor(
    private readonly framing: Framing,
    private readonly maxLength: number,
  ) {}

  push(chunk: Uint8Array): Frame[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk])
    const frames: Frame[] = []
    for (;;) {
      const head = this.readHeader()
      if (head === null) break
      const { headerLength, length, quickAck } = head
      if (this.buffer.length < headerLength + length) break
      frames.push({ payload: this.buffer.subarray(headerLength, headerLength + length), quickAck })
      this.buffer = this.buffer.subarray(headerLength + length)
    }
    return frames
  }

  private readHeader(): { headerLength: number; length: number; quickAck: boolean } | null {
    const b = this.buffer
    let headerLength: number
    let length: number
    let quickAck: boolean
    if (this.framing === 'abridged') {
      if (b.length < 1) return null
      const first = b[0] as number
      quickAck = (first & 0x80) !== 0
      if ((first & 0x7f) === 0x7f) {
        if (b.length < 4) return null
        headerLength = 4
        length = b.readUIntLE(1, 3) * 4
      } else {
        headerLength = 1
        length = (first & 0x7f) * 4
      }
    } else {
      if (b.length < 4) return null
      const word = b.readUInt32LE(0)
      headerLength = 4
      quickAck = (word & 0x80000000) !== 0
      length = word & 0x7fffffff
    }
    if (length === 0) throw new ServerTransportError('FRAME_EMPTY')
    if (length > this.maxLength) throw new ServerTransportError('FRAME_TOO_LONG')
    if (this.framing === 'intermediate' && length % 4 !== 0) throw new ServerTransportError('BAD_FRAME_LENGTH')
    return { headerLength, length, quickAck }
  }
}

/**
 * One frame. Padded intermediate gets 0–15 random bytes, except 4-byte transport errors,
 * which go unpadded because mtcute only recognises an exactly-4-byte frame (transports.md §2).
 */
export function encodeFrame(framing: Framing, payload: Uint8Array, random: (n: number) => Uint8Array): Buffer {
  if (framing === 'abridged') {
    const words = payload.length / 4
    const head = words < 0x7f ? Buffer.of(words) : Buffer.of(0x7f, words & 255, (words >> 8) & 255, (words >> 16) & 255)
    return Buffer.concat([head, payload])
  }
  const padding = framing === 'padded' && payload.length > 4 ? random(1)[0]! % 16 : 0
  const head = Buffer.alloc(4)
  head.writeUInt32LE(payload.length + padding)
  return Buffer.concat([head, payload, random(padding)])
}

/** The plain tag a client sends once before its first frame (not used under obfuscation). */
export const FRAMING_TAGS: Record<Framing, Buffer> = {
  abridged: Buffer.of(0xef),
  intermediate: Buffer.of(0xee, 0xee, 0xee, 0xee),
  padded: Buffer.of(0xdd, 0xdd, 0xdd, 0xdd),
}
