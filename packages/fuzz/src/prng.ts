/**
 * The fuzzer's only source of randomness: xoshiro128** seeded through splitmix32, so a
 * run is its seed. Each case draws from its own stream (`Prng.of(seed, label, case)`), so
 * replaying case K needs nothing drawn by the cases before it.
 */

export class Prng {
  private s: Uint32Array

  private constructor(seed: number[]) {
    this.s = Uint32Array.from(seed)
    if (this.s.every((x) => x === 0)) this.s[0] = 1
  }

  /** A stream named by the run seed and any labels (strings or numbers). */
  static of(seed: number, ...labels: (string | number)[]): Prng {
    let h = splitmix(seed >>> 0)
    for (const l of labels) for (const c of String(l) + '\u0000') h = splitmix((h ^ c.charCodeAt(0)) >>> 0)
    const out: number[] = []
    for (let i = 0; i < 4; i++) out.push((h = splitmix(h)))
    return new Prng(out)
  }

  u32(): number {
    const s = this.s
    const result = Math.imul(rotl(Math.imul(s[1] as number, 5), 7), 9) >>> 0
    const t = (s[1] as number) << 9
    s[2] = (s[2] as number) ^ (s[0] as number)
    s[3] = (s[3] as number) ^ (s[1] as number)
    s[1] = (s[1] as number) ^ (s[2] as number)
    s[0] = (s[0] as number) ^ (s[3] as number)
    s[2] = (s[2] as number) ^ t
    s[3] = rotl(s[3] as number, 11)
    return result
  }

  /** Uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n)
  }

  /** Uniform in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  float(): number {
    return this.u32() / 4294967296
  }

  bool(p = 0.5): boolean {
    return this.float() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from nothing')
    return items[this.int(items.length)] as T
  }

  /** A signed 64-bit value. */
  long(): bigint {
    return BigInt.asIntN(64, (BigInt(this.u32()) << 32n) | BigInt(this.u32()))
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const w = this.u32()
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (w >>> (8 * j)) & 0xff
    }
    return out
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

function splitmix(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
  return (z ^ (z >>> 16)) >>> 0
}
