/**
 * Builds and instantiates the WebAssembly modules from their TS sources (aes-wasm-build.ts,
 * sha256-wasm-build.ts), lazily: nothing is built or compiled when a module is imported,
 * only on the first call that needs it. Shipping the builders instead of the bytes (as hex)
 * saves 2.1 kB gzipped in the worker bundle, and building both modules cold costs about
 * what decoding their hex did (2–6 ms in Node, 4–17 ms vs 14–35 ms in a loaded Chromium). So a page that imports this package's error classes never
 * compiles WebAssembly, and a worker can be told to stay off it before its first call.
 */

let disabled = false

/**
 * Keeps this realm off WebAssembly from now on; every primitive runs its JS path (same
 * results, slower). For a worker served under a CSP without 'wasm-unsafe-eval', where each
 * attempt would be refused and reported as a violation. Modules already made stay in use.
 */
export function disableWebAssembly(): void {
  disabled = true
}

/** The module's exports, or null where WebAssembly is missing, refused (a CSP without 'wasm-unsafe-eval') or disabled. */
export function instantiateWasm(build: () => Uint8Array<ArrayBuffer>): WebAssembly.Exports | null {
  if (disabled || typeof WebAssembly === 'undefined') return null
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(build())).exports
  } catch {
    return null // the JS implementation covers every call
  }
}

/** `make(exports)` on the first call, then the same value (null: use the JS path). */
export function lazyWasm<T>(build: () => Uint8Array<ArrayBuffer>, make: (exports: WebAssembly.Exports) => T): () => T | null {
  let value: T | null | undefined
  return () => {
    if (value === undefined) {
      const exports = instantiateWasm(build)
      value = exports === null ? null : make(exports)
    }
    return value
  }
}
