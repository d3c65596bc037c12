/** mulberry32: a tiny deterministic PRNG so fuzz and sample values repeat across runs and platforms. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Rng {
  float(): number
  int(n: number): number
  bytes(n: number): Uint8Array
  pick<T>(items: readonly T[]): T
}

export function rng(seed: number): Rng {
  const next = seeded(seed)
  const int = (n: number): number => Math.floor(next() * n)
  return {
    float: next,
    int,
    bytes: (n) => Uint8Array.from({ length: n }, () => int(256)),
    pick: <T>(items: readonly T[]): T => {
      const v = items[int(items.length)]
      if (v === undefined) throw new Error('pick from an empty list')
      return v
    },
  }
}
