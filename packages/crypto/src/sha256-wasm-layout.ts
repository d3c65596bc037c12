/**
 * Byte addresses in the SHA-256 WebAssembly module's memory (1 page), shared by its source
 * (sha256-wasm-build.ts) and its runner (sha-sync.ts): the chaining value and the data.
 */
export const SHA_STATE = 0
export const SHA_DATA = 1024
