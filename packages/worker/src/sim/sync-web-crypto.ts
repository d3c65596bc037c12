/**
 * WebCrypto for the simulation, on node:crypto's synchronous calls. Node's own SubtleCrypto
 * finishes on a thread pool, so two digests started together could resolve in either
 * order and a seed would not replay. Here every promise resolves in the microtask that
 * follows the call, in call order. It covers what @pfs-web/crypto asks of SubtleCrypto
 * (SHA-1/SHA-256 digests, raw AES keys, AES-CBC and AES-CTR encryption) and refuses the
 * rest, so a new use shows up as an error instead of a silent nondeterminism.
 */
import { createCipheriv, createHash } from 'node:crypto'
import type { SeededRandom } from './seeded-random.ts'

type Bytes = ArrayBuffer | ArrayBufferView

function view(data: Bytes): Buffer {
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data)
}

function fresh(out: Buffer): ArrayBuffer {
  const copy = new Uint8Array(out.length)
  copy.set(out)
  return copy.buffer
}

function algName(alg: unknown): string {
  return typeof alg === 'string' ? alg : String((alg as { name?: unknown }).name)
}

class SimKey {
  readonly type = 'secret'
  readonly extractable = false
  constructor(
    readonly algorithm: { name: string },
    readonly usages: readonly string[],
    readonly bytes: Buffer,
  ) {}
}

const simSubtle = {
  async digest(alg: unknown, data: Bytes): Promise<ArrayBuffer> {
    const name = algName(alg).toUpperCase()
    if (name !== 'SHA-1' && name !== 'SHA-256') throw new Error(`sim WebCrypto: no digest ${name}`)
    return fresh(createHash(name === 'SHA-1' ? 'sha1' : 'sha256').update(view(data)).digest())
  },
  async importKey(format: string, raw: Bytes, alg: unknown, _extractable: boolean, usages: string[]): Promise<SimKey> {
    const name = algName(alg).toUpperCase()
    if (format !== 'raw' || (name !== 'AES-CBC' && name !== 'AES-CTR')) throw new Error(`sim WebCrypto: no ${format} ${name} key`)
    return new SimKey({ name }, usages, Buffer.from(view(raw)))
  },
  async encrypt(alg: { name: string; iv?: Bytes; counter?: Bytes; length?: number }, key: SimKey, data: Bytes): Promise<ArrayBuffer> {
    const bits = key.bytes.length * 8
    const name = algName(alg).toUpperCase()
    if (name === 'AES-CBC' && alg.iv !== undefined) {
      const c = createCipheriv(`aes-${bits}-cbc`, key.bytes, view(alg.iv))
      return fresh(Buffer.concat([c.update(view(data)), c.final()]))
    }
    if (name === 'AES-CTR' && alg.counter !== undefined && alg.length === 128) {
      return fresh(createCipheriv(`aes-${bits}-ctr`, key.bytes, view(alg.counter)).update(view(data)))
    }
    throw new Error(`sim WebCrypto: no encrypt ${name}`)
  },
}

/**
 * Replaces globalThis.crypto for the simulation; getRandomValues draws from `random`, so
 * even a library default that reaches for the platform CSPRNG replays. Returns the undo.
 */
export function installSyncWebCrypto(random: SeededRandom): () => void {
  const previous = Object.getOwnPropertyDescriptor(globalThis, 'crypto')
  const sim = {
    subtle: simSubtle,
    getRandomValues<T extends ArrayBufferView | null>(array: T): T {
      if (array !== null) new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(random.bytes(array.byteLength))
      return array
    },
  }
  Object.defineProperty(globalThis, 'crypto', { value: sim, configurable: true, writable: true })
  return () => {
    if (previous) Object.defineProperty(globalThis, 'crypto', previous)
    else Reflect.deleteProperty(globalThis, 'crypto')
  }
}
