/**
 * The source of the SHA-256 WebAssembly module (FIPS 180-4 §6.2) that sha-sync.ts runs for
 * SHA-256: one exported `compress(blocks)` over padded big-endian blocks at SHA_DATA,
 * chaining value at SHA_STATE. The 64 rounds and the message schedule are unrolled, so
 * every variable and schedule word is a local and every K_t an immediate. Built on first
 * use (wasm-instance.ts): this source gzips to less than the 8.5 KB module it writes.
 */
import { SHA_DATA, SHA_STATE } from './sha256-wasm-layout.ts'
import { assembleModule, doWhileBelow, emit, get, i32, load, op, set, shift, store } from './wasm-emit.ts'

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

/** x ↻ r1 ^ x ↻ r2 ^ x (↻ or >>>, by `last`) r3, for the local x. */
function sigma(x: number, r1: number, r2: number, r3: number, last: number): void {
  get(x)
  shift(op.rotr, r1)
  get(x)
  shift(op.rotr, r2)
  emit(op.xor)
  get(x)
  shift(last, r3)
  emit(op.xor)
}

/** The big-endian word at `offset` from the block pointer. */
function loadBe(offset: number): void {
  get(P)
  load(offset)
  shift(op.rotl, 8)
  i32(0x00ff00ff)
  emit(op.and)
  get(P)
  load(offset)
  shift(op.rotr, 8)
  i32(0xff00ff00 | 0)
  emit(op.and, op.or)
}

function block(): void {
  const w = (t: number): number => W + (t & 15)
  let v = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => V + i)
  for (let i = 0; i < 8; i++) {
    get(HV + i)
    set(V + i)
  }
  for (let t = 0; t < 64; t++) {
    if (t < 16) {
      loadBe(4 * t)
    } else {
      sigma(w(t - 2), 17, 19, 10, op.shrU)
      get(w(t - 7))
      emit(op.add)
      sigma(w(t - 15), 7, 18, 3, op.shrU)
      emit(op.add)
      get(w(t - 16))
      emit(op.add)
    }
    set(w(t))
    const [a, b, c, d, e, f, g, h] = v as [number, number, number, number, number, number, number, number]
    // TMP = h + Σ1(e) + Ch(e, f, g) + K_t + W_t, with Ch = g ^ (e & (f ^ g))
    get(h)
    sigma(e, 6, 11, 25, op.rotr)
    emit(op.add)
    get(g)
    get(e)
    get(f)
    get(g)
    emit(op.xor, op.and, op.xor, op.add)
    i32(K[t] as number)
    emit(op.add)
    get(w(t))
    emit(op.add)
    set(TMP)
    // d += TMP; h = TMP + Σ0(a) + Maj(a, b, c), with Maj = (a & b) | (c & (a | b))
    get(d)
    get(TMP)
    emit(op.add)
    set(d)
    get(TMP)
    sigma(a, 2, 13, 22, op.rotr)
    emit(op.add)
    get(a)
    get(b)
    emit(op.and)
    get(c)
    get(a)
    get(b)
    emit(op.or, op.and, op.or, op.add)
    set(h)
    v = [h, a, b, c, d, e, f, g]
  }
  // after 64 rounds (a multiple of 8) the names are back in their starting places
  for (let i = 0; i < 8; i++) {
    get(HV + i)
    get(V + i)
    emit(op.add)
    set(HV + i)
  }
  get(P)
  i32(64)
  emit(op.add)
  set(P)
}

function compressBody(): void {
  for (let i = 0; i < 8; i++) {
    i32(0)
    load(SHA_STATE + 4 * i)
    set(HV + i)
  }
  i32(SHA_DATA)
  set(P)
  i32(SHA_DATA)
  get(0)
  shift(op.shl, 6)
  emit(op.add)
  set(END)
  doWhileBelow(P, END, block)
  for (let i = 0; i < 8; i++) {
    i32(0)
    get(HV + i)
    store(SHA_STATE + 4 * i)
  }
}

/** The module: 1 page of memory, exports `memory` and `compress(blocks)`. */
export function buildSha256Wasm(): Uint8Array<ArrayBuffer> {
  return assembleModule(1, [{ name: 'compress', locals: LOCALS, body: compressBody }])
}
