/**
 * The source of the SHA-256 WebAssembly module (FIPS 180-4 §6.2) that sha-sync.ts runs for
 * SHA-256: one exported `compress(blocks)` over padded big-endian blocks at SHA_DATA,
 * chaining value at SHA_STATE. The 64 rounds and the message schedule are unrolled, so
 * every variable and schedule word is a local and every K_t an immediate. Committed as
 * sha256-wasm-binary.ts by `npx tsx packages/crypto/scripts/gen-wasm.ts`.
 */
import { SHA_DATA, SHA_STATE } from './sha-sync.ts'
import { type Code, assembleModule, bin, doWhile, get, i32, load, op, seq, set, store, xorAll } from './wasm-emit.ts'

function primes(count: number): number[] {
  const out: number[] = []
  for (let n = 2; out.length < count; n++) if (out.every((p) => n % p !== 0)) out.push(n)
  return out
}
// fractional parts of the cube roots of the first 64 primes (§4.2.2)
const K = primes(64).map((p) => ((Math.cbrt(p) % 1) * 0x100000000) | 0)

// locals: 0 = block count, then pointer, end, the 8 working variables, the 8-word
// chaining value, a 16-word schedule window and one temporary
const P = 1, END = 2, V = 3, HV = 11, W = 19, TMP = 35
const LOCALS = 35

const rotr = (x: Code, n: number): Code => bin(op.rotr, x, i32(n))
const shr = (x: Code, n: number): Code => bin(op.shrU, x, i32(n))
const add = (...xs: Code[]): Code => xs.slice(1).reduce((acc, x) => bin(op.add, acc, x), xs[0] as Code)
const and = (a: Code, b: Code): Code => bin(op.and, a, b)
const or = (a: Code, b: Code): Code => bin(op.or, a, b)
const bswap = (x: Code): Code => or(and(bin(op.rotl, x, i32(8)), i32(0x00ff00ff)), and(rotr(x, 8), i32(0xff00ff00 | 0)))

function compressBody(): Code {
  const body: Code[] = []
  const w = (t: number): number => W + (t & 15)
  let v = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => V + i)
  for (let i = 0; i < 8; i++) body.push(set(V + i, get(HV + i)))
  for (let t = 0; t < 64; t++) {
    if (t < 16) {
      body.push(set(w(t), bswap(load(4 * t, get(P)))))
    } else {
      const x = get(w(t - 15))
      const y = get(w(t - 2))
      const s0 = xorAll(rotr(x, 7), rotr(x, 18), shr(x, 3))
      const s1 = xorAll(rotr(y, 17), rotr(y, 19), shr(y, 10))
      body.push(set(w(t), add(s1, get(w(t - 7)), s0, get(w(t - 16)))))
    }
    const [a, b, c, d, e, f, g, h] = v as [number, number, number, number, number, number, number, number]
    const sigma1 = xorAll(rotr(get(e), 6), rotr(get(e), 11), rotr(get(e), 25))
    const ch = bin(op.xor, get(g), and(get(e), bin(op.xor, get(f), get(g))))
    body.push(set(TMP, add(get(h), sigma1, ch, i32(K[t] as number), get(w(t)))))
    const sigma0 = xorAll(rotr(get(a), 2), rotr(get(a), 13), rotr(get(a), 22))
    const maj = or(and(get(a), get(b)), and(get(c), or(get(a), get(b))))
    body.push(set(d, add(get(d), get(TMP))))
    body.push(set(h, add(get(TMP), sigma0, maj)))
    v = [h, a, b, c, d, e, f, g]
  }
  // after 64 rounds (a multiple of 8) the names are back in their starting places
  for (let i = 0; i < 8; i++) body.push(set(HV + i, add(get(HV + i), get(V + i))))
  body.push(set(P, add(get(P), i32(64))))

  const code: Code[] = []
  for (let i = 0; i < 8; i++) code.push(set(HV + i, load(SHA_STATE + 4 * i, i32(0))))
  code.push(set(P, i32(SHA_DATA)), set(END, add(i32(SHA_DATA), bin(op.shl, get(0), i32(6)))))
  code.push(doWhile(seq(...body), bin(op.ltU, get(P), get(END))))
  for (let i = 0; i < 8; i++) code.push(store(SHA_STATE + 4 * i, i32(0), get(HV + i)))
  return seq(...code)
}

/** The module: 1 page of memory, exports `memory` and `compress(blocks)`. */
export function buildSha256Wasm(): Uint8Array<ArrayBuffer> {
  return assembleModule(1, [{ name: 'compress', locals: LOCALS, body: compressBody() }])
}
