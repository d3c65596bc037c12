/**
 * The source of the AES-256 IGE WebAssembly module (aes-wasm.ts runs it): the same
 * T-tables, byte-swapped round keys and little-endian word loads as the JS core in
 * aes-core.ts, with all 14 rounds unrolled into locals. Built on first use
 * (wasm-instance.ts): this source gzips to less than the 7.8 KB module it writes.
 */
import { DATA, INV_S, IV, RK, ROUNDS, S, TD, TE } from './aes-wasm-layout.ts'
import { assembleModule, doWhileBelow, emit, get, i32, load, load8, op, set, shift, store } from './wasm-emit.ts'

// locals: 0 = byte count n, then the block pointer, its end, and four words each of
// c (previous ciphertext), m (previous plaintext), x (this input block), s and t (state)
const P = 1, END = 2, C = 3, M = 7, X = 11, SL = 15, TL = 19
const LOCALS = 22

/** Round key word i, xored into the value on the stack. */
function xorRk(i: number): void {
  i32(0)
  load(RK + 4 * i)
  emit(op.xor)
}

/**
 * One IGE pass over n bytes at DATA, in place. Encryption: c_i = E(m_i ^ c_{i-1}) ^ m_{i-1};
 * decryption: m_i = D(c_i ^ m_{i-1}) ^ c_{i-1}. The column step is +1 for E, -1 for D
 * (ShiftRows vs InvShiftRows), exactly as in aes-core.ts.
 */
function igeBody(decrypt: boolean): void {
  const table = decrypt ? TD : TE
  const sbox = decrypt ? INV_S : S
  const step = decrypt ? 3 : 1
  // the state before the cipher is mixed with the previous output of the other kind
  const chainIn = decrypt ? M : C
  const chainOut = decrypt ? C : M
  const col = (from: number, j: number, b: number): void => get(from + ((j + b * step) & 3))

  const block = (): void => {
    for (let j = 0; j < 4; j++) {
      get(P)
      load(4 * j)
      set(X + j)
    }
    for (let j = 0; j < 4; j++) {
      get(X + j)
      get(chainIn + j)
      emit(op.xor)
      xorRk(j)
      set(SL + j)
    }
    let from = SL
    for (let r = 1; r < ROUNDS; r++) {
      const to = from === SL ? TL : SL
      for (let j = 0; j < 4; j++) {
        // T-table b at 4 × byte b of a column: (v << 2) & 1020 for byte 0, (v >>> (8b - 2)) & 1020 above
        for (let b = 0; b < 4; b++) {
          col(from, j, b)
          if (b === 0) shift(op.shl, 2)
          else shift(op.shrU, 8 * b - 2)
          i32(1020)
          emit(op.and)
          load(table + 1024 * b)
          if (b > 0) emit(op.xor)
        }
        xorRk(4 * r + j)
        set(to + j)
      }
      from = to
    }
    for (let j = 0; j < 4; j++) {
      for (let b = 0; b < 4; b++) {
        col(from, j, b)
        if (b > 0) shift(op.shrU, 8 * b)
        if (b < 3) {
          i32(255)
          emit(op.and)
        }
        load8(sbox)
        if (b > 0) {
          shift(op.shl, 8 * b)
          emit(op.or)
        }
      }
      xorRk(4 * ROUNDS + j)
      get(chainOut + j)
      emit(op.xor)
      set(chainIn + j)
    }
    for (let j = 0; j < 4; j++) {
      get(P)
      get(chainIn + j)
      store(4 * j)
    }
    for (let j = 0; j < 4; j++) {
      get(X + j)
      set(chainOut + j)
    }
    get(P)
    i32(16)
    emit(op.add)
    set(P)
  }

  for (let j = 0; j < 4; j++) {
    i32(0)
    load(IV + 4 * j)
    set(C + j)
    i32(0)
    load(IV + 16 + 4 * j)
    set(M + j)
  }
  i32(DATA)
  set(P)
  i32(DATA)
  get(0)
  emit(op.add)
  set(END)
  doWhileBelow(P, END, block)
  for (let j = 0; j < 4; j++) {
    i32(0)
    get(C + j)
    store(IV + 4 * j)
    i32(0)
    get(M + j)
    store(IV + 16 + 4 * j)
  }
}

/** The module: 2 pages of memory, exports `memory`, `encrypt(n)` and `decrypt(n)`. */
export function buildAesWasm(): Uint8Array<ArrayBuffer> {
  return assembleModule(2, [
    { name: 'encrypt', locals: LOCALS, body: () => igeBody(false) },
    { name: 'decrypt', locals: LOCALS, body: () => igeBody(true) },
  ])
}
