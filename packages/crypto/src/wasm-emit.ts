/**
 * Just enough of the WebAssembly binary format (core spec §5) to assemble the AES module
 * in aes-wasm.ts from TypeScript: i32 locals, loads/stores, bit ops and one loop. The
 * module is built from this source at load time, so there is no opaque .wasm in the repo.
 */

/** Writes instructions into `out` (postfix order): closures, so building copies nothing. */
export type Code = (out: number[]) => void

export const op = {
  loop: 0x03, end: 0x0b, brIf: 0x0d, localGet: 0x20, localSet: 0x21, localTee: 0x22,
  load: 0x28, load8u: 0x2d, store: 0x36, const: 0x41,
  ltU: 0x49, add: 0x6a, and: 0x71, or: 0x72, xor: 0x73, shl: 0x74, shrU: 0x76, rotl: 0x77, rotr: 0x78,
} as const
const VOID_BLOCK = 0x40
const I32 = 0x7f

function uleb(out: number[], n: number): void {
  do {
    const b = n & 0x7f
    n >>>= 7
    out.push(n === 0 ? b : b | 0x80)
  } while (n !== 0)
}

function sleb(out: number[], n: number): void {
  for (;;) {
    const b = n & 0x7f
    n >>= 7
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b)
      return
    }
    out.push(b | 0x80)
  }
}

export const get = (l: number): Code => (out) => {
  out.push(op.localGet)
  uleb(out, l)
}
export const set = (l: number, value: Code): Code => (out) => {
  value(out)
  out.push(op.localSet)
  uleb(out, l)
}
export const i32 = (n: number): Code => (out) => {
  out.push(op.const)
  sleb(out, n | 0)
}
export const bin = (o: number, a: Code, b: Code): Code => (out) => {
  a(out)
  b(out)
  out.push(o)
}
const memory = (o: number, align: number, offset: number, addr: Code, value?: Code): Code => (out) => {
  addr(out)
  value?.(out)
  out.push(o, align)
  uleb(out, offset)
}
/** i32.load of the word at `offset + addr` (4-aligned). */
export const load = (offset: number, addr: Code): Code => memory(op.load, 2, offset, addr)
export const load8 = (offset: number, addr: Code): Code => memory(op.load8u, 0, offset, addr)
export const store = (offset: number, addr: Code, value: Code): Code => memory(op.store, 2, offset, addr, value)
export const xorAll = (...xs: Code[]): Code => xs.slice(1).reduce((acc, x) => bin(op.xor, acc, x), xs[0] as Code)
export const seq = (...xs: Code[]): Code => (out) => {
  for (const x of xs) x(out)
}

/** `body` repeated while the condition it leaves on the stack is true (a do-while). */
export const doWhile = (body: Code, cond: Code): Code => (out) => {
  out.push(op.loop, VOID_BLOCK)
  body(out)
  cond(out)
  out.push(op.brIf, 0, op.end)
}

function bytesOf(code: Code): number[] {
  const out: number[] = []
  code(out)
  return out
}

function section(out: number[], id: number, payload: number[]): void {
  out.push(id)
  uleb(out, payload.length)
  for (const b of payload) out.push(b)
}

function vec(items: number[][]): number[] {
  const out: number[] = []
  uleb(out, items.length)
  for (const item of items) for (const b of item) out.push(b)
  return out
}

function name(s: string): number[] {
  return vec([...s].map((c) => [c.charCodeAt(0)]))
}

export interface WasmFunction {
  /** Exported name; every function has the type (i32) -> (). */
  name: string
  /** i32 locals after the parameter (local 0). */
  locals: number
  body: Code
}

/** A module with one exported memory of `pages` 64 KiB pages and the given functions. */
export function assembleModule(pageCount: number, functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const type = [0x60, 1, I32, 0]
  const bodies = functions.map((f) => {
    const code = [1, ...bytesOf((out) => uleb(out, f.locals)), I32, ...bytesOf(f.body), op.end]
    return [...bytesOf((out) => uleb(out, code.length)), ...code]
  })
  const exports = [
    [...name('memory'), 2, 0],
    ...functions.map((f, i) => [...name(f.name), 0, ...bytesOf((out) => uleb(out, i))]),
  ]
  const pages = bytesOf((out) => uleb(out, pageCount))
  const out = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]
  section(out, 1, vec([type]))
  section(out, 3, vec(functions.map(() => [0])))
  section(out, 5, vec([[1, ...pages, ...pages]]))
  section(out, 7, vec(exports))
  section(out, 10, vec(bodies))
  return new Uint8Array(out)
}
