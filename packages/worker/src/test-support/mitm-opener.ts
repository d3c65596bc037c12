/**
 * A man in the middle for Node tests: wraps a socket opener, strips the obfuscation of both
 * directions (the keys come from the client's clear 64-byte init, transports.md §3), splits
 * the padded-intermediate frames and lets a test rewrite, drop or inject frames before they
 * are re-obfuscated. With the temp key bytes (a recording KeyStore) it also opens and seals
 * MTProto packets, so a test can hand the engine well-encrypted but malformed messages.
 * Test-only: node:crypto, sync.
 */
import { createCipheriv, type Cipher } from 'node:crypto'
import { decryptMessageSync, encryptMessageSync, obfuscationKeys } from '@pfs-web/crypto'
import type { SocketLike } from '../env.ts'
import { wrapperOf } from './node-env.ts'

export interface MitmLink {
  readonly url: string
  /** Obfuscates and delivers transport bytes (frames, or part of one) to the engine. */
  toClient(bytes: Uint8Array): void
  toServer(bytes: Uint8Array): void
  /** Ends the link as a server would: the real socket closes, the engine sees onclose. */
  close(): void
}

/**
 * Each hook sees one whole frame payload (padding included) and returns the frames to
 * deliver in its place; returning null forwards it unchanged. Quick acks pass untouched.
 */
export interface MitmHooks {
  fromServer?(payload: Uint8Array, link: MitmLink): Uint8Array[] | null
  fromClient?(payload: Uint8Array, link: MitmLink): Uint8Array[] | null
}

/** One padded-intermediate frame around `payload` (no padding: the MITM controls the bytes). */
export function frame(payload: Uint8Array, lengthField = payload.length): Uint8Array {
  const out = new Uint8Array(4 + payload.length)
  new DataView(out.buffer).setUint32(0, lengthField >>> 0, true)
  out.set(payload, 4)
  return out
}

export function mitmOpener(open: (url: string) => SocketLike, hooks: MitmHooks): (url: string) => SocketLike {
  return (url) => {
    const inner = open(url)
    let streams: { c2sIn: Cipher; c2sOut: Cipher; s2cIn: Cipher; s2cOut: Cipher } | null = null
    let headerBuf: Uint8Array = new Uint8Array(0)
    const up = new Splitter()
    const down = new Splitter()
    let closed = false
    const outer = wrapperOf(inner, (d) => onClientBytes(d))
    const link: MitmLink = {
      url,
      toClient: (bytes) => {
        if (closed || !streams) return
        const data = streams.s2cOut.update(bytes)
        outer.onmessage?.({ data: data.buffer.slice(data.byteOffset, data.byteOffset + data.length) })
      },
      toServer: (bytes) => {
        if (closed || !streams) return
        inner.send(new Uint8Array(streams.c2sOut.update(bytes)))
      },
      close: () => {
        if (closed) return
        closed = true
        inner.close(1000)
      },
    }
    const onClientBytes = (d: Uint8Array): void => {
      if (!streams) {
        headerBuf = concat(headerBuf, d)
        if (headerBuf.length < 64) return
        const header = headerBuf.subarray(0, 64)
        const k = obfuscationKeys(header)
        const ctr = (key: Uint8Array, iv: Uint8Array): Cipher => createCipheriv('aes-256-ctr', key, iv)
        streams = { c2sIn: ctr(k.encKey, k.encIv), c2sOut: ctr(k.encKey, k.encIv), s2cIn: ctr(k.decKey, k.decIv), s2cOut: ctr(k.decKey, k.decIv) }
        streams.c2sIn.update(header)
        streams.c2sOut.update(header)
        inner.send(header.slice())
        d = headerBuf.subarray(64)
        if (d.length === 0) return
      }
      for (const f of up.push(new Uint8Array(streams.c2sIn.update(d)))) {
        const out = f.ack ? null : (hooks.fromClient?.(f.payload, link) ?? null)
        for (const b of out ?? [f.raw]) link.toServer(b)
      }
    }
    inner.onopen = (e) => outer.onopen?.(e)
    inner.onclose = (e) => {
      closed = true
      outer.onclose?.(e)
    }
    inner.onerror = (e) => outer.onerror?.(e)
    inner.onmessage = (e) => {
      if (!streams || closed) return
      const bytes = e.data instanceof ArrayBuffer ? new Uint8Array(e.data) : (e.data as Uint8Array)
      for (const f of down.push(new Uint8Array(streams.s2cIn.update(bytes)))) {
        const out = f.ack ? null : (hooks.fromServer?.(f.payload, link) ?? null)
        for (const b of out ?? [f.raw]) link.toClient(b)
      }
    }
    return outer
  }
}

/** Splits a de-obfuscated padded-intermediate stream into frames (trusted input: our server). */
class Splitter {
  private buf: Uint8Array = new Uint8Array(0)
  push(chunk: Uint8Array): { raw: Uint8Array; payload: Uint8Array; ack: boolean }[] {
    this.buf = concat(this.buf, chunk)
    const out: { raw: Uint8Array; payload: Uint8Array; ack: boolean }[] = []
    let off = 0
    while (this.buf.length - off >= 4) {
      const word = new DataView(this.buf.buffer, this.buf.byteOffset + off, 4).getUint32(0, true)
      if (word & 0x80000000) {
        out.push({ raw: this.buf.slice(off, off + 4), payload: new Uint8Array(0), ack: true })
        off += 4
        continue
      }
      if (this.buf.length - off - 4 < word) break
      out.push({ raw: this.buf.slice(off, off + 4 + word), payload: this.buf.slice(off + 4, off + 4 + word), ack: false })
      off += 4 + word
    }
    this.buf = this.buf.slice(off)
    return out
  }
}

export interface OpenedMessage {
  key: Uint8Array
  salt: bigint
  sessionId: bigint
  msgId: bigint
  seqno: number
  body: Uint8Array
}

/**
 * Opens an encrypted frame payload (padding trimmed as transports.md §1 says) with whichever
 * of `keys` its auth_key_id names; null for short, unencrypted or foreign packets.
 */
export function openPacket(keys: readonly { idBytes: Uint8Array; bytes: Uint8Array }[], payload: Uint8Array, fromClient: boolean): OpenedMessage | null {
  if (payload.length < 40) return null
  const id = payload.subarray(0, 8)
  const key = keys.find((k) => k.idBytes.every((b, i) => b === id[i]) && k.bytes.some((b) => b !== 0))?.bytes
  if (!key) return null
  const packet = payload.subarray(0, payload.length - ((payload.length - 24) % 16))
  const plain = decryptMessageSync(key, packet, fromClient).plaintext
  const v = new DataView(plain.buffer, plain.byteOffset, plain.length)
  return { key, salt: v.getBigInt64(0, true), sessionId: v.getBigInt64(8, true), msgId: v.getBigInt64(16, true), seqno: v.getInt32(24, true), body: plain.slice(32) }
}

/**
 * Seals a message as the server would (x = 8). `lengthField` overrides message_data_length
 * to build packets that lie about their size.
 */
export function sealFromServer(m: Omit<OpenedMessage, 'body'> & { body: Uint8Array; lengthField?: number }): Uint8Array {
  const unpadded = 32 + m.body.length
  const padding = 12 + ((16 - ((unpadded + 12) % 16)) % 16)
  const plain = new Uint8Array(unpadded + padding)
  const v = new DataView(plain.buffer)
  v.setBigInt64(0, m.salt, true)
  v.setBigInt64(8, m.sessionId, true)
  v.setBigInt64(16, m.msgId, true)
  v.setInt32(24, m.seqno, true)
  v.setUint32(28, m.lengthField ?? m.body.length, true)
  plain.set(m.body, 32)
  return encryptMessageSync(m.key, plain, false).packet
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
