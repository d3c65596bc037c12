import { connect, type Socket } from 'node:net'
import type { Cipher } from 'node:crypto'
import { randomBytes } from 'node:crypto'
import { WebSocket } from 'ws'
import { encodeFrame, FrameDecoder, FRAMING_TAGS, type Framing } from '../transport/framing.ts'
import { openObfuscated } from '../transport/obfuscation.ts'

export interface ClientTransportOptions {
  kind: 'tcp' | 'ws'
  host: string
  port: number
  framing: Framing
  obfuscated: boolean
  dc?: number
  /** WebSocket path (default /apiws; /apiws_media is the media-only side). */
  path?: string
  /** Write every send in pieces of this many bytes (stream reassembly tests). */
  splitWrites?: number
}

/**
 * A client end of one transport for tests: frames out, payloads in (a 4-byte payload is a
 * transport error and is delivered as such).
 */
export class ClientTransport {
  private readonly decoder: FrameDecoder
  private readonly inbox: Buffer[] = []
  private waiters: ((p: Buffer | null) => void)[] = []
  private encrypt: Cipher | null = null
  private decrypt: Cipher | null = null
  private writeRaw: (b: Uint8Array) => void = () => {}
  private closeRaw: () => void = () => {}
  closed = false

  private constructor(private readonly options: ClientTransportOptions) {
    this.decoder = new FrameDecoder(options.framing, 16 * 1024 * 1024)
  }

  static async open(options: ClientTransportOptions): Promise<ClientTransport> {
    const t = new ClientTransport(options)
    await (options.kind === 'tcp' ? t.openTcp() : t.openWs())
    let first: Buffer
    if (options.obfuscated || options.kind === 'ws') {
      const o = openObfuscated(options.framing, options.dc ?? 2, randomBytes)
      t.encrypt = o.encrypt
      t.decrypt = o.decrypt
      first = o.header
    } else {
      first = FRAMING_TAGS[options.framing]
    }
    t.writeRaw(first)
    return t
  }

  send(payload: Uint8Array): void {
    const frame = encodeFrame(this.options.framing, payload, randomBytes)
    const bytes = this.encrypt === null ? frame : this.encrypt.update(frame)
    const step = this.options.splitWrites ?? bytes.length
    for (let off = 0; off < bytes.length; off += step) this.writeRaw(bytes.subarray(off, off + step))
  }

  /** Raw bytes, for malformed-input tests. */
  sendRaw(bytes: Uint8Array): void {
    this.writeRaw(bytes)
  }

  /** The next payload, or null once the connection closed. */
  receive(timeoutMs = 10_000): Promise<Buffer | null> {
    const ready = this.inbox.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    if (this.closed) return Promise.resolve(null)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('receive timeout')), timeoutMs)
      this.waiters.push((p) => {
        clearTimeout(timer)
        resolve(p)
      })
    })
  }

  close(): void {
    this.closeRaw()
  }

  private onBytes(chunk: Uint8Array): void {
    for (const f of this.decoder.push(this.decrypt === null ? chunk : this.decrypt.update(chunk))) {
      const w = this.waiters.shift()
      if (w !== undefined) w(f.payload)
      else this.inbox.push(f.payload)
    }
  }

  private onClose(): void {
    this.closed = true
    for (const w of this.waiters.splice(0)) w(null)
  }

  private openTcp(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s: Socket = connect(this.options.port, this.options.host, () => resolve())
      s.setNoDelay(true)
      s.on('error', reject)
      s.on('data', (d) => this.onBytes(d))
      s.on('close', () => this.onClose())
      this.writeRaw = (b) => void s.write(b)
      this.closeRaw = () => s.destroy()
    })
  }

  private openWs(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${this.options.host}:${this.options.port}${this.options.path ?? '/apiws'}`, 'binary')
      ws.binaryType = 'nodebuffer'
      ws.on('open', () => resolve())
      ws.on('error', reject)
      ws.on('message', (d) => this.onBytes(d as Buffer))
      ws.on('close', () => this.onClose())
      this.writeRaw = (b) => ws.send(b)
      this.closeRaw = () => ws.close()
    })
  }
}

/** A 4-byte payload holds a transport error code (-404, -429, -444). */
export function transportErrorOf(payload: Buffer): number | null {
  return payload.length === 4 ? payload.readInt32LE(0) : null
}
