/**
 * One socket as the fuzz server sees it: the obfuscated2 streams (transports.md §3) and
 * padded-intermediate frames both ways (§1). What the frames mean is the server's.
 */
import type { Cipher } from 'node:crypto'
import { nodeMtproto as kit } from '@pfs-web/server'
import type { ServerEnd } from '../fuzz-socket.ts'
import type { Prng } from '../prng.ts'
import type { LinkControl, ServerHooks } from './hooks.ts'
import { concat } from '../bytes.ts'

/** A client frame this long is a broken stream, not a message (the engine caps its own). */
const MAX_CLIENT_FRAME = 4 * 1024 * 1024

export class Link implements LinkControl {
  private header: Uint8Array = new Uint8Array(0)
  private streams: { decrypt: Cipher; encrypt: Cipher } | null = null
  private inbound: Uint8Array = new Uint8Array(0)
  private muted = false
  /** Set by the server once the first packet shows what this link carries. */
  kind: 'unknown' | 'handshake' | 'traffic' = 'unknown'

  constructor(
    readonly url: string,
    private readonly end: ServerEnd,
    private readonly rng: Prng,
    private readonly hooks: () => ServerHooks,
    private readonly onPacket: (link: Link, payload: Uint8Array) => void,
  ) {}

  get closed(): boolean {
    return this.end.closed
  }

  /** Engine bytes: the 64-byte header first, then obfuscated frames. */
  receive(bytes: Uint8Array): void {
    if (this.streams === null) {
      this.header = concat(this.header, bytes)
      if (this.header.length < 64) return
      let accepted
      try {
        accepted = kit.acceptObfuscated(this.header.subarray(0, 64))
      } catch {
        this.close()
        return
      }
      if (accepted.framing !== 'padded') return this.close()
      this.streams = { decrypt: accepted.decrypt, encrypt: accepted.encrypt }
      bytes = this.header.subarray(64)
      this.hooks().accepted?.(this)
      if (bytes.length === 0) return
    }
    this.inbound = concat(this.inbound, new Uint8Array(this.streams.decrypt.update(bytes)))
    let off = 0
    while (this.inbound.length - off >= 4) {
      const len = new DataView(this.inbound.buffer, this.inbound.byteOffset + off, 4).getUint32(0, true)
      if (len > MAX_CLIENT_FRAME) return this.close()
      if (this.inbound.length - off - 4 < len) break
      const payload = this.inbound.slice(off + 4, off + 4 + len)
      off += 4 + len
      if (this.closed) return
      this.onPacket(this, payload)
    }
    this.inbound = this.inbound.slice(off)
  }

  /** One packet as a frame with 0..15 random padding bytes, through the frame and stream hooks. */
  sendPacket(payload: Uint8Array): void {
    const pad = this.rng.int(16)
    const frame = new Uint8Array(4 + payload.length + pad)
    new DataView(frame.buffer).setUint32(0, payload.length + pad, true)
    frame.set(payload, 4)
    frame.set(this.rng.bytes(pad), 4 + payload.length)
    const frames = this.hooks().frames?.(frame, this) ?? [frame]
    for (const f of frames) this.sendPlain(f)
  }

  /** A transport error (transports.md §1: a 4-byte payload with a negative code). */
  sendTransportError(code: number): void {
    const frame = new Uint8Array(8)
    const v = new DataView(frame.buffer)
    v.setUint32(0, 4, true)
    v.setInt32(4, code, true)
    this.sendPlain(frame)
  }

  sendPlain(bytes: Uint8Array): void {
    if (this.streams === null || this.muted || this.closed) return
    const out = new Uint8Array(this.streams.encrypt.update(bytes))
    this.sendRaw(this.hooks().stream?.(out, this) ?? out)
  }

  sendRaw(bytes: Uint8Array): void {
    if (!this.muted && !this.closed) this.end.send(bytes)
  }

  mute(): void {
    this.muted = true
  }

  close(): void {
    this.end.close()
  }
}

