/**
 * The env's randomness, drawn in blocks and handed out in the small pieces the hot path
 * asks for: every packet takes four (message padding and its length, frame padding and
 * its length), and each draw from the host crosses into native code (in Node a Buffer
 * and an OpenSSL call), which cost more per small call than its AES (issue #17). Bytes
 * handed out are wiped from the block, each caller gets its own copy, and requests
 * larger than a quarter block go straight to the source.
 */
export const RANDOM_BLOCK_BYTES = 4096

export function pooledRandom(source: (n: number) => Uint8Array, blockBytes = RANDOM_BLOCK_BYTES): (n: number) => Uint8Array {
  let block: Uint8Array = new Uint8Array(0)
  let at = 0
  return (n) => {
    if (n > blockBytes / 4) return source(n)
    if (block.length - at < n) {
      block = source(blockBytes)
      at = 0
    }
    const out = block.slice(at, at + n)
    block.fill(0, at, at + n)
    at += n
    return out
  }
}
