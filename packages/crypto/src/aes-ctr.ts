/**
 * A stateful AES-256-CTR stream on WebCrypto (transports.md §3 step 6): a 128-bit
 * big-endian counter starting at the IV, running across calls. WebCrypto is stateless, so
 * each call restarts at IV + floor(offset / 16) and discards offset % 16 keystream bytes.
 */
import { bufferSource, copyOf, expectBytes, expectUint8Array } from './bytes.ts'

export interface CtrStream {
  /**
   * XORs `data` with the next data.length keystream bytes. The keystream position is
   * claimed when process() is called, and results resolve in call order, so callers may
   * issue the next call before the previous one resolved.
   */
  process(data: Uint8Array): Promise<Uint8Array>
  /** Bytes of keystream consumed so far (claimed by calls made). */
  readonly offset: number
}

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

export function createCtrStream(key: Uint8Array, iv: Uint8Array): CtrStream {
  expectBytes('key', key, 32, 'BAD_KEY_LENGTH')
  expectBytes('iv', iv, 16, 'BAD_IV_LENGTH')
  const ivCopy = copyOf(iv)
  const cryptoKey = globalThis.crypto.subtle.importKey('raw', bufferSource(key), { name: 'AES-CTR' }, false, ['encrypt'])
  let offset = 0
  let tail: Promise<unknown> = Promise.resolve()

  async function run(input: Uint8Array<ArrayBuffer>, start: number, skip: number): Promise<Uint8Array> {
    const counter = counterAt(ivCopy, (start - skip) / 16)
    const out = await globalThis.crypto.subtle.encrypt({ name: 'AES-CTR', counter, length: 128 }, await cryptoKey, input)
    input.fill(0)
    return new Uint8Array(out, skip)
  }

  return {
    get offset() {
      return offset
    },
    process(data: Uint8Array): Promise<Uint8Array> {
      expectUint8Array('data', data)
      const start = offset
      offset += data.length
      const skip = start % 16
      // a copy, so a caller reusing its buffer cannot change what this call encrypts
      const input = new Uint8Array(skip + data.length)
      input.set(data, skip)
      const own = run(input, start, skip)
      const ordered = tail.then(() => own)
      tail = ordered
      return ordered
    },
  }
}
