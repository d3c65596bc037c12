/**
 * Padded intermediate framing (transports.md §1 "Padded intermediate", §2 short payloads).
 * Pure: the caller passes randomness for the padding and feeds received bytes in any
 * split or coalesced pieces (a WebSocket message boundary means nothing, §4).
 */
import { TransportError } from '@pfs-web/errors'

export const PADDED_INTERMEDIATE_TAG = 0xdddddddd

/**
 * A frame larger than this is a corrupt stream, not a message: server frames are ≤ 1 MiB
 * (the largest file part) + headers, and the conformance server caps client frames at
 * 2 MiB too. A 16 MiB cap let a corrupt length word stall the connection, buffering
 * every later frame while waiting for bytes that never come.
 */
export const MAX_FRAME = 2 * 1024 * 1024

export type FrameEvent =
  | { kind: 'packet'; payload: Uint8Array }
  | { kind: 'quick-ack'; token: number }
  | { kind: 'transport-error'; code: number }

/** One frame: 4-byte LE total, the payload, then 0–15 random bytes. */
export function encodeFrame(payload: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  if (payload.length % 4 !== 0) throw new TransportError('BAD_PAYLOAD', 'payload length must be a multiple of 4')
  const pad = (random(1)[0] ?? 0) % 16
  const out = new Uint8Array(4 + payload.length + pad)
  new DataView(out.buffer).setUint32(0, payload.length + pad, true)
  out.set(payload, 4)
  if (pad > 0) out.set(random(pad), 4 + payload.length)
  return out
}

/**
 * Reads the first int32 of a payload shorter than 16 bytes (TDLib Transport::read):
 * 0 → nothing, -1 with ≥ 8 bytes → padded quick ack, anything else → transport error.
 */
function shortPayload(p: Uint8Array): FrameEvent | null {
  if (p.length < 4) return { kind: 'transport-error', code: -1 }
  const view = new DataView(p.buffer, p.byteOffset, p.length)
  const first = view.getInt32(0, true)
  if (first === 0) return null
  if (first === -1 && p.length >= 8) return { kind: 'quick-ack', token: view.getUint32(4, true) }
  return { kind: 'transport-error', code: first }
}

/**
 * Drops the random padding from a packet: encrypted packets keep 24 + a multiple of 16
 * bytes, unencrypted ones keep 20 + their body-length field (transports.md §1).
 */
export function trimPadding(p: Uint8Array): Uint8Array {
  const view = new DataView(p.buffer, p.byteOffset, p.length)
  const unencrypted = view.getUint32(0, true) === 0 && view.getUint32(4, true) === 0
  if (unencrypted) {
    if (p.length < 20) throw new TransportError('BAD_FRAME', 'unencrypted packet shorter than its header')
    const len = view.getUint32(16, true)
    if (len > p.length - 20) throw new TransportError('BAD_FRAME', 'unencrypted body length past the frame')
    return p.subarray(0, 20 + len)
  }
  return p.subarray(0, p.length - ((p.length - 24) % 16))
}

/** Incremental decoder for the server → client direction. */
export class FrameDecoder {
  private buf: Uint8Array = new Uint8Array(0)

  /**
   * Appends bytes and returns every complete frame's event; throws TransportError on a
   * corrupt stream. It takes `chunk` over: packets may be views of it, so the caller must
   * not write to it afterwards (the connection hands over each deobfuscated chunk, fresh).
   */
  push(chunk: Uint8Array): FrameEvent[] {
    const buf = this.buf.length === 0 ? chunk : concat(this.buf, chunk)
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length)
    const events: FrameEvent[] = []
    let off = 0
    while (buf.length - off >= 4) {
      const word = view.getUint32(off, true)
      if (word & 0x80000000) {
        // Intermediate-form quick ack: a bare token with the top bit set, no length prefix.
        events.push({ kind: 'quick-ack', token: word })
        off += 4
        continue
      }
      if (word > MAX_FRAME) throw new TransportError('BAD_FRAME', 'frame length out of range')
      if (buf.length - off - 4 < word) break
      const payload = buf.subarray(off + 4, off + 4 + word)
      off += 4 + word
      if (payload.length < 16) {
        const ev = shortPayload(payload)
        if (ev) events.push(ev)
      } else {
        events.push({ kind: 'packet', payload: trimPadding(payload) })
      }
    }
    // a partial frame is copied out, so the chunk it came in is not held for it
    this.buf = buf.slice(off)
    return events
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
