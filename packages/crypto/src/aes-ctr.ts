/**
 * A stateful AES-256-CTR stream (transports.md §3 step 6): a 128-bit big-endian counter
 * starting at the IV, running across calls. The keystream does not depend on the data, so
 * it is made ahead, in large WebCrypto AES-CTR calls over zeros, and XORed in synchronously:
 * a frame costs no asynchronous crypto job of its own. Consumed keystream is wiped.
 *
 * The first few KiB are made on the AES core instead (WebAssembly, else JS), as frames
 * claim them: a connection's handshake, bind and first calls fit in them, so a connect
 * needs no WebCrypto job for its obfuscation at all (each costs more than 64 KiB of
 * keystream, issue #17) and its first frame need not wait for one. Made as claimed, not
 * all at once: a connect's outgoing stream uses under 1 KiB of them, its incoming one ~2 KiB.
 */
import { expandEncKey } from './aes-core.ts'
import { igeEncryptInto } from './aes-wasm.ts'
import { bufferSource, copyOf, expectBytes, expectUint8Array } from './bytes.ts'
import { CryptoError } from './errors.ts'

export interface CtrStream {
  /**
   * XORs `data` with the next data.length keystream bytes and hands the result to `out`:
   * before returning when that much keystream is buffered, else once the refill lands.
   * Results reach their `out` in call order, always: a call made while earlier ones wait
   * for keystream waits behind them. `data` is not modified.
   */
  process(data: Uint8Array, out: (bytes: Uint8Array) => void): void
  /** Bytes of keystream claimed so far (by calls made). */
  readonly offset: number
  /** Wipes the buffered keystream and drops waiting calls; later calls throw CLOSED. */
  close(): void
}

export interface CtrStreamOptions {
  /** Keystream made per WebCrypto call, and the level below which the next is started (a multiple of 16). */
  chunkBytes?: number
  /** A refill failed (WebCrypto rejected): the stream is closed and waiting calls are dropped. */
  onError?: (err: CryptoError) => void
}

const DEFAULT_CHUNK_BYTES = 64 * 1024
/** Keystream the AES core makes (or one chunk, if smaller); WebCrypto is first called once under 1/4 of it is left unclaimed. */
const FIRST_BYTES = 4096
/** The core makes its keystream in pieces of at most this much, as frames claim it. */
const PIECE_BYTES = 1024

/** iv + blocks as a 128-bit big-endian integer, wrapping modulo 2^128. */
function counterAt(iv: Uint8Array, blocks: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(iv)
  let carry = blocks
  for (let i = 15; i >= 0 && carry > 0; i--) {
    const sum = (out[i] as number) + (carry % 256)
    out[i] = sum & 0xff
    carry = Math.floor(carry / 256) + (sum >> 8)
  }
  return out
}

/** `bytes` of keystream from block `from` of the counter at `iv`, on the AES core: E(counter) per block. */
function keystreamNow(key: Uint8Array, iv: Uint8Array, from: number, bytes: number): Uint8Array {
  const rk = expandEncKey(key)
  // one IGE block from a zero chaining state is the bare cipher: E(m ^ 0) ^ 0
  const zeros = new Uint8Array(32)
  const out = new Uint8Array(bytes)
  for (let at = 0; at < bytes; at += 16) {
    const block = out.subarray(at, at + 16)
    block.set(counterAt(iv, from + at / 16))
    igeEncryptInto(rk, zeros, block, block)
  }
  rk.fill(0)
  return out
}

interface Waiting {
  data: Uint8Array
  out: (bytes: Uint8Array) => void
}

export function createCtrStream(key: Uint8Array, iv: Uint8Array, options: CtrStreamOptions = {}): CtrStream {
  expectBytes('key', key, 32, 'BAD_KEY_LENGTH')
  expectBytes('iv', iv, 16, 'BAD_IV_LENGTH')
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0 || chunkBytes % 16 !== 0) {
    throw new CryptoError('BAD_INPUT', 'chunkBytes: expected a positive multiple of 16')
  }
  const ivCopy = copyOf(iv)
  /** Held for the core and until WebCrypto first needs it (the caller may wipe its own copy), then wiped. */
  let keyCopy: Uint8Array | null = copyOf(key)
  let cryptoKey: Promise<CryptoKey> | null = null
  const first = Math.min(FIRST_BYTES, chunkBytes)
  /** Keystream the core may still make; none once WebCrypto is called. */
  let coreLeft = first
  /** Made, unconsumed keystream, oldest first; chunks[0] is read from `readAt`. */
  const chunks: Uint8Array[] = []
  let readAt = 0
  let buffered = 0
  /** Keystream blocks made so far: the next counter. */
  let blocksMade = 0
  let refilling = false
  let closed = false
  let offset = 0
  const waiting: Waiting[] = []
  let waitingBytes = 0

  function xorInto(data: Uint8Array): Uint8Array {
    const result = new Uint8Array(data.length)
    let done = 0
    while (done < data.length) {
      const chunk = chunks[0] as Uint8Array
      const n = Math.min(chunk.length - readAt, data.length - done)
      for (let i = 0; i < n; i++) result[done + i] = (data[done + i] as number) ^ (chunk[readAt + i] as number)
      chunk.fill(0, readAt, readAt + n)
      done += n
      readAt += n
      if (readAt === chunk.length) {
        chunks.shift()
        readAt = 0
      }
    }
    buffered -= data.length
    return result
  }

  function makeNow(bytes: number): void {
    chunks.push(keystreamNow(keyCopy as Uint8Array, ivCopy, blocksMade, bytes))
    buffered += bytes
    blocksMade += bytes / 16
    coreLeft -= bytes
  }

  function importKey(): Promise<CryptoKey> {
    const raw = keyCopy as Uint8Array
    keyCopy = null
    // in an executor, so a synchronous throw (no crypto.subtle) fails the refill like a rejection
    const imported = new Promise<CryptoKey>((resolve) =>
      resolve(globalThis.crypto.subtle.importKey('raw', bufferSource(raw), { name: 'AES-CTR' }, false, ['encrypt'])),
    )
    raw.fill(0)
    return imported
  }

  function refillIfLow(): void {
    // a refill starts below a quarter of the core's part left unclaimed, then below a chunk
    const lowWater = cryptoKey === null ? first / 4 : chunkBytes
    if (refilling || closed || buffered + coreLeft - waitingBytes >= lowWater) return
    // the rest of the core's part first, so WebCrypto's counter follows it
    if (coreLeft > 0) makeNow(coreLeft)
    refilling = true
    // one call may cover a large waiting frame at once; it stays a multiple of 16 so the
    // next call's counter lands on a block boundary
    const deficit = waitingBytes - buffered
    const bytes = Math.max(chunkBytes, Math.ceil(deficit / 16) * 16)
    const counter = counterAt(ivCopy, blocksMade)
    blocksMade += bytes / 16
    cryptoKey ??= importKey()
    cryptoKey
      .then((k) => globalThis.crypto.subtle.encrypt({ name: 'AES-CTR', counter, length: 128 }, k, new Uint8Array(bytes)))
      .then(
        (made) => {
          refilling = false
          const chunk = new Uint8Array(made)
          if (closed) {
            chunk.fill(0)
            return
          }
          chunks.push(chunk)
          buffered += chunk.length
          drain()
          refillIfLow()
        },
        (err: unknown) => {
          refilling = false
          if (closed) return
          stream.close()
          options.onError?.(new CryptoError('CTR_REFILL_FAILED', `AES-CTR keystream: ${String(err)}`))
        },
      )
  }

  function drain(): void {
    while (!closed && waiting.length > 0 && (waiting[0] as Waiting).data.length <= buffered) {
      const w = waiting.shift() as Waiting
      waitingBytes -= w.data.length
      w.out(xorInto(w.data))
    }
  }

  const stream: CtrStream = {
    get offset() {
      return offset
    },
    process(data, out) {
      expectUint8Array('data', data)
      if (closed) throw new CryptoError('CLOSED', 'AES-CTR stream is closed')
      offset += data.length
      if (waiting.length === 0) {
        while (data.length > buffered && coreLeft > 0) makeNow(Math.min(coreLeft, PIECE_BYTES))
        if (data.length <= buffered) {
          const result = xorInto(data)
          refillIfLow()
          out(result)
          return
        }
      }
      // a copy, so a caller reusing its buffer cannot change what this call encrypts
      waiting.push({ data: copyOf(data), out })
      waitingBytes += data.length
      refillIfLow()
    },
    close() {
      closed = true
      keyCopy?.fill(0)
      keyCopy = null
      for (const c of chunks) c.fill(0)
      chunks.length = 0
      buffered = 0
      for (const w of waiting) w.data.fill(0)
      waiting.length = 0
      waitingBytes = 0
    },
  }
  return stream
}
