import { createHash, hash } from 'node:crypto'

export function sha1(...parts: Uint8Array[]): Buffer {
  return digest('sha1', parts)
}

export function sha256(...parts: Uint8Array[]): Buffer {
  return digest('sha256', parts)
}

const SCRATCH_BYTES = 2048
const scratch = Buffer.alloc(SCRATCH_BYTES)

/**
 * A Hash object costs about as much as hashing a small message, and each packet takes three
 * SHA-256s (msg_key and two for the KDF), six per call and answer: parts that fit are joined
 * in a scratch buffer and hashed in one call. The scratch holds auth key bytes, so it is
 * zeroed after use.
 */
function digest(algorithm: 'sha1' | 'sha256', parts: Uint8Array[]): Buffer {
  let length = 0
  for (const p of parts) length += p.length
  if (length > SCRATCH_BYTES) {
    const h = createHash(algorithm)
    for (const p of parts) h.update(p)
    return h.digest()
  }
  let at = 0
  for (const p of parts) {
    scratch.set(p, at)
    at += p.length
  }
  const out = hash(algorithm, scratch.subarray(0, length), 'buffer')
  scratch.fill(0, 0, length)
  return out
}
