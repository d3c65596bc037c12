/**
 * Byte addresses in the AES WebAssembly module's memory (2 pages), shared by its source
 * (aes-wasm-build.ts) and its runner (aes-wasm.ts): the decryption and encryption
 * T-tables, the two S-boxes, the round keys, the chaining state (c ‖ m) and the data.
 */
export const TD = 0
export const TE = 4096
export const INV_S = 8192
export const S = 8448
export const RK = 8704
export const IV = 8960
export const DATA = 16384
/** Input is processed in chunks of this many bytes; the chaining state stays at IV. */
export const CHUNK = 65536
/** AES-256 only; other key sizes take the JS core. */
export const ROUNDS = 14
