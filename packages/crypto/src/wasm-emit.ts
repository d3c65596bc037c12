/**
 * Just enough of the WebAssembly binary format (core spec §5) to assemble the AES and
 * SHA-256 modules from TypeScript: i32 locals, loads/stores, bit ops and one loop. The
 * modules are built from their sources on first use (wasm-instance.ts), so there is no
 * opaque .wasm in the repo or the bundle.
 *
 * A builder calls these in postfix order (operands, then the operator) and each appends
 * to the body being assembled: no expression tree, so building both modules costs a few
 * milliseconds even before the JIT has warmed up.
 */

export const op = {
  loop: 0x03, end: 0x0b, brIf: 0x0d, localGet: 0x20, localSet: 0x21,
  load: 0x28, load8u: 0x2d, store: 0x36, const: 0x41,
  ltU: 0x49, add: 0x6a, and: 0x71, or: 0x72, xor: 0x73, shl: 0x74, shrU: 0x76, rotl: 0x77, rotr: 0x78,
} as const
const VOID_BLOCK = 0x40
const I32 = 0x7f

/** The body being assembled (set by assembleModule while a builder runs). */
let out: number[] = []

function uleb(to: number[], n: number): void {
  do {
    const b = n & 0x7f
    n >>>= 7
    to.push(n === 0 ? b : b | 0x80)
  } while (n !== 0)
}

/** Appends raw opcodes (operators that take no immediate). */
export function emit(...ops: number[]): void {
  for (const o of ops) out.push(o)
}
export function get(l: number): void {
  out.push(op.localGet)
  uleb(out, l)
}
export function set(l: number): void {
  out.push(op.localSet)
  uleb(out, l)
}
export function i32(n: number): void {
  out.push(op.const)
  n |= 0
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
/** `x` on the stack, then `n` and the shift or rotation `o`. */
export function shift(o: number, n: number): void {
  i32(n)
  out.push(o)
}
function memory(o: number, align: number, offset: number): void {
  out.push(o, align)
  uleb(out, offset)
}
/** i32.load of the word at `offset + addr` (4-aligned; addr on the stack). */
export const load = (offset: number): void => memory(op.load, 2, offset)
export const load8 = (offset: number): void => memory(op.load8u, 0, offset)
/** i32.store at `offset + addr` (addr, then the value, on the stack). */
export const store = (offset: number): void => memory(op.store, 2, offset)

/** `body` repeated while local `p` is below local `end`, unsigned (a do-while: it runs once at least). */
export function doWhileBelow(p: number, end: number, body: () => void): void {
  out.push(op.loop, VOID_BLOCK)
  body()
  get(p)
  get(end)
  out.push(op.ltU, op.brIf, 0, op.end)
}

export interface WasmFunction {
  /** Exported name; every function has the type (i32) -> (). */
  name: string
  /** i32 locals after the parameter (local 0). */
  locals: number
  body: () => void
}

function bytesOf(n: number): number[] {
  const to: number[] = []
  uleb(to, n)
  return to
}

const size = (chunks: number[][]): number => chunks.reduce((n, c) => n + c.length, 0)

/** A section or vector: its id (if any), then the payload's length or count, then the payload. */
function section(id: number, payload: number[][]): number[][] {
  return [[id, ...bytesOf(size(payload))], ...payload]
}
const vec = (items: number[][]): number[][] => [bytesOf(items.length), ...items]
const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))]

/** A module with one exported memory of `pages` 64 KiB pages and the given functions. */
export function assembleModule(pageCount: number, functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const bodies = functions.flatMap((f) => {
    out = [1, ...bytesOf(f.locals), I32]
    f.body()
    out.push(op.end)
    const code = out
    out = []
    return [bytesOf(code.length), code]
  })
  const pages = bytesOf(pageCount)
  const chunks = [
    [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vec([[0x60, 1, I32, 0]])),
    ...section(3, vec(functions.map(() => [0]))),
    ...section(5, vec([[1, ...pages, ...pages]])),
    ...section(7, vec([[...name('memory'), 2, 0], ...functions.map((f, i) => [...name(f.name), 0, ...bytesOf(i)])])),
    ...section(10, [bytesOf(functions.length), ...bodies]), // each body is its size, then its code
  ]
  const module = new Uint8Array(size(chunks))
  let at = 0
  for (const c of chunks) {
    module.set(c, at)
    at += c.length
  }
  return module
}
