/**
 * The source of the AES-256 IGE WebAssembly module (aes-wasm.ts runs it): the same
 * T-tables, byte-swapped round keys and little-endian word loads as the JS core in
 * aes-core.ts, with all 14 rounds unrolled into locals. `npx tsx
 * packages/crypto/scripts/gen-wasm.ts` writes its output to aes-wasm-binary.ts, and
 * aes-wasm.test.ts checks that the committed bytes are exactly what this file builds.
 */
import { DATA, INV_S, IV, RK, ROUNDS, S, TD, TE } from './aes-wasm-layout.ts'
import { type Code, assembleModule, bin, doWhile, get, i32, load, load8, op, seq, set, store, xorAll } from './wasm-emit.ts'

// locals: 0 = byte count n, then the block pointer, its end, and four words each of
// c (previous ciphertext), m (previous plaintext), x (this input block), s and t (state)
const P = 1, END = 2, C = 3, M = 7, X = 11, SL = 15, TL = 19
const LOCALS = 22

/**
 * One IGE pass over n bytes at DATA, in place. Encryption: c_i = E(m_i ^ c_{i-1}) ^ m_{i-1};
 * decryption: m_i = D(c_i ^ m_{i-1}) ^ c_{i-1}. The column step is +1 for E, -1 for D
 * (ShiftRows vs InvShiftRows), exactly as in aes-core.ts.
 */
function igeBody(decrypt: boolean): Code {
  const table = decrypt ? TD : TE
  const sbox = decrypt ? INV_S : S
  const step = decrypt ? 3 : 1
  const rk = (i: number): Code => load(RK + 4 * i, i32(0))
  // the state before the cipher is mixed with the previous output of the other kind
  const chainIn = decrypt ? M : C
  const chainOut = decrypt ? C : M
  const byteIndex = [
    (v: Code) => bin(op.and, bin(op.shl, v, i32(2)), i32(1020)),
    (v: Code) => bin(op.and, bin(op.shrU, v, i32(6)), i32(1020)),
    (v: Code) => bin(op.and, bin(op.shrU, v, i32(14)), i32(1020)),
    (v: Code) => bin(op.and, bin(op.shrU, v, i32(22)), i32(1020)),
  ]
  const byteValue = [
    (v: Code) => bin(op.and, v, i32(255)),
    (v: Code) => bin(op.and, bin(op.shrU, v, i32(8)), i32(255)),
    (v: Code) => bin(op.and, bin(op.shrU, v, i32(16)), i32(255)),
    (v: Code) => bin(op.shrU, v, i32(24)),
  ]
  const col = (from: number, j: number, b: number): Code => get(from + ((j + b * step) & 3))
  const body: Code[] = []
  for (let j = 0; j < 4; j++) body.push(set(X + j, load(4 * j, get(P))))
  for (let j = 0; j < 4; j++) body.push(set(SL + j, xorAll(get(X + j), get(chainIn + j), rk(j))))
  let from = SL
  for (let r = 1; r < ROUNDS; r++) {
    const to = from === SL ? TL : SL
    for (let j = 0; j < 4; j++) {
      const lookups = [0, 1, 2, 3].map((b) => load(table + 1024 * b, (byteIndex[b] as (v: Code) => Code)(col(from, j, b))))
      body.push(set(to + j, xorAll(...lookups, rk(4 * r + j))))
    }
    from = to
  }
  for (let j = 0; j < 4; j++) {
    const bytes = [0, 1, 2, 3].map((b) => {
      const v = load8(sbox, (byteValue[b] as (v: Code) => Code)(col(from, j, b)))
      return b === 0 ? v : bin(op.shl, v, i32(8 * b))
    })
    const word = bytes.slice(1).reduce((acc, x) => bin(op.or, acc, x), bytes[0] as Code)
    body.push(set(chainIn + j, xorAll(word, rk(4 * ROUNDS + j), get(chainOut + j))))
  }
  for (let j = 0; j < 4; j++) body.push(store(4 * j, get(P), get(chainIn + j)))
  for (let j = 0; j < 4; j++) body.push(set(chainOut + j, get(X + j)))
  body.push(set(P, bin(op.add, get(P), i32(16))))

  const code: Code[] = []
  for (let j = 0; j < 4; j++) code.push(set(C + j, load(IV + 4 * j, i32(0))), set(M + j, load(IV + 16 + 4 * j, i32(0))))
  code.push(set(P, i32(DATA)), set(END, bin(op.add, i32(DATA), get(0))))
  code.push(doWhile(seq(...body), bin(op.ltU, get(P), get(END))))
  for (let j = 0; j < 4; j++) code.push(store(IV + 4 * j, i32(0), get(C + j)), store(IV + 16 + 4 * j, i32(0), get(M + j)))
  return seq(...code)
}

/** The module: 2 pages of memory, exports `memory`, `encrypt(n)` and `decrypt(n)`. */
export function buildAesWasm(): Uint8Array<ArrayBuffer> {
  return assembleModule(2, [
    { name: 'encrypt', locals: LOCALS, body: igeBody(false) },
    { name: 'decrypt', locals: LOCALS, body: igeBody(true) },
  ])
}
