/** Byte-level damage shared by the families: flips, word overwrites, truncation. */
import type { Prng } from '../prng.ts'

/** Interesting 32-bit words: lengths and counts that overflow, sign bits, TL magic numbers. */
export const EDGE_WORDS = [0, 1, 0xff, 0xfe, 0xfeffffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x1cb5c415, 0x73f1f8dc, 0x3072cfa1, 0xf35c6d01, 0x2144ca19, 0x997275b5] as const

export function flipBytes(bytes: Uint8Array, rng: Prng, count = rng.range(1, 8), from = 0): Uint8Array {
  const out = bytes.slice()
  if (out.length <= from) return out
  for (let i = 0; i < count; i++) {
    const at = from + rng.int(out.length - from)
    out[at] = (out[at] ?? 0) ^ (1 << rng.int(8))
  }
  return out
}

/** Overwrites one 4-aligned word with an edge value or a random one. */
export function overwriteWord(bytes: Uint8Array, rng: Prng, from = 0): Uint8Array {
  const out = bytes.slice()
  const words = Math.floor((out.length - from) / 4)
  if (words <= 0) return out
  const at = from + 4 * rng.int(words)
  const value = rng.bool(0.7) ? rng.pick(EDGE_WORDS) : rng.u32()
  new DataView(out.buffer).setUint32(at, value >>> 0, true)
  return out
}

export function truncate(bytes: Uint8Array, rng: Prng, align = 4): Uint8Array {
  const keep = Math.floor(rng.int(bytes.length + 1) / align) * align
  return bytes.slice(0, keep)
}

export function appendJunk(bytes: Uint8Array, rng: Prng, align = 4): Uint8Array {
  const n = align * rng.range(1, 64)
  const out = new Uint8Array(bytes.length + n)
  out.set(bytes)
  out.set(rng.bytes(n), bytes.length)
  return out
}

/** One of the above, drawn now and applied later. */
export function drawDamage(rng: Prng, from = 0): { what: string; apply(bytes: Uint8Array): Uint8Array } {
  switch (rng.int(4)) {
    case 0:
      return { what: 'bit flips', apply: (b) => flipBytes(b, rng, undefined, from) }
    case 1:
      return { what: 'word overwrite', apply: (b) => overwriteWord(b, rng, from) }
    case 2:
      return { what: 'truncated', apply: (b) => truncate(b, rng) }
    default:
      return { what: 'junk appended', apply: (b) => appendJunk(b, rng) }
  }
}
