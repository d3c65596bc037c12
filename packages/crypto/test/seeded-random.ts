/**
 * A deterministic byte stream for tests (xorshift128+ style on 32-bit words): the same
 * seed gives the same bytes in Node and Chromium. Never for keys.
 */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let a = seed | 0 || 0x9e3779b9
  let b = 0x243f6a88 ^ seed
  const next = (): number => {
    let t = a
    const s = b
    a = s
    t ^= t << 23
    t ^= t >>> 17
    t ^= s ^ (s >>> 26)
    b = t
    return (t + s) >>> 0
  }
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const w = next()
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (w >>> (j * 8)) & 0xff
    }
    return out
  }
}
