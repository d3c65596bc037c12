import type { Cipher } from 'node:crypto'
import { ServerTransportError } from '../errors.ts'
import { encodeFrame, FrameDecoder, type Framing } from './framing.ts'
import { acceptObfuscated } from './obfuscation.ts'

export interface ByteSink {
  write(bytes: Uint8Array): void
  close(): void
}

export interface StreamOptions {
  /** WebSocket streams must be obfuscated (transports.md §4); TCP tells the mode from its first bytes. */
  obfuscationRequired: boolean
  maxFrameLength: number
  random: (n: number) => Uint8Array
}

/**
 * Server end of one transport stream: detects the mode like Telegram does (0xef abridged,
 * eeeeeeee intermediate, dddddddd padded, otherwise a 64-byte obfuscation header), then
 * yields MTProto payloads. Every bad input throws ServerTransportError; the caller closes
 * this connection only.
 */
export class ServerStream {
  private pending: Buffer = Buffer.alloc(0)
  private decoder: FrameDecoder | null = null
  private framing: Framing | null = null
  private decrypt: Cipher | null = null
  private encrypt: Cipher | null = null

  constructor(
    private readonly sink: ByteSink,
    private readonly options: StreamOptions,
  ) {}

  /** Feeds received bytes; returns complete payloads. */
  receive(chunk: Uint8Array): Buffer[] {
    if (this.decoder !== null) {
      return this.decoder.push(this.decrypt === null ? chunk : this.decrypt.update(chunk)).map((f) => f.payload)
    }
    this.pending = Buffer.concat([this.pending, chunk])
    if (!this.detect()) return []
    const rest = this.pending
    this.pending = Buffer.alloc(0)
    return rest.length === 0 ? [] : this.receive(rest)
  }

  send(payload: Uint8Array): void {
    if (this.framing === null) throw new ServerTransportError('NOT_OPEN')
    const frame = encodeFrame(this.framing, payload, this.options.random)
    this.sink.write(this.encrypt === null ? frame : this.encrypt.update(frame))
  }

  /** A transport error (-404, -429, -444) as a bare 4-byte payload. */
  sendTransportError(code: number): void {
    const payload = Buffer.alloc(4)
    payload.writeInt32LE(code)
    this.send(payload)
  }

  close(): void {
    this.sink.close()
  }

  private detect(): boolean {
    const b = this.pending
    if (!this.options.obfuscationRequired) {
      if (b.length >= 1 && b[0] === 0xef) return this.open('abridged', 1)
      if (b.length < 4) return false
      const word = b.readUInt32LE(0)
      if (word === 0xeeeeeeee) return this.open('intermediate', 4)
      if (word === 0xdddddddd) return this.open('padded', 4)
    }
    if (b.length < 64) return false
    const streams = acceptObfuscated(b.subarray(0, 64))
    this.decrypt = streams.decrypt
    this.encrypt = streams.encrypt
    return this.open(streams.framing, 64)
  }

  private open(framing: Framing, consumed: number): boolean {
    this.framing = framing
    this.decoder = new FrameDecoder(framing, this.options.maxFrameLength)
    this.pending = this.pending.subarray(consumed)
    return true
  }
}
