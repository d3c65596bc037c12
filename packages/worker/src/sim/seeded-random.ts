/**
 * The simulation's only source of randomness (STYLE §2, FoundationDB/VOPR): sfc32, seeded
 * through splitmix32. Each consumer forks its own stream by label, so adding a draw in the
 * workload does not shift what the server or the fault plan draws from the same seed.
 * Not cryptographic: the simulated keys only have to be unpredictable to nobody.
 */
export class SeededRandom {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(readonly seed: number) {
    let s = seed >>> 0
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = split()
    this.b = split()
    this.c = split()
    this.d = split()
    for (let i = 0; i < 12; i++) this.next32()
  }

  next32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) >>> 0
    return t
  }

  /** Uniform in [0, 1). */
  unit(): number {
    return this.next32() / 2 ** 32
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.unit() * (hi - lo + 1))
  }

  chance(p: number): boolean {
    return this.unit() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from nothing')
    return items[this.int(0, items.length - 1)] as T
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const v = this.next32()
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff
    }
    return out
  }

  /** An independent stream named `label`, the same for the same seed. */
  fork(label: string): SeededRandom {
    let h = 0x811c9dc5
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0
    return new SeededRandom((this.seed ^ h) >>> 0)
  }
}
