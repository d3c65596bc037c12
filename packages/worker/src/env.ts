import type { ModPow } from '@pfs-web/crypto'

/**
 * Everything with a side effect the engine needs, passed in so the same engine runs in a
 * dedicated Worker, a SharedWorker or Node tests (no globals are read).
 */

/** The subset of the browser WebSocket the engine uses; `ws` in Node satisfies it too. */
export interface SocketLike {
  binaryType: string
  readonly readyState: number
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code?: number; reason?: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}

/**
 * Persistent perm keys, one per DC (pfs §1.1). Only perm keys are ever stored; temp keys
 * live in RAM in the key store. `get` resolves undefined when the DC has none.
 */
export interface PermKeyStorage {
  get(dcId: number): Promise<Uint8Array | undefined>
  set(dcId: number, key: Uint8Array): Promise<void>
  delete(dcId: number): Promise<void>
  /**
   * Runs `fn` while no other engine sharing this storage (another tab's worker) loads or
   * makes the DC's perm key, so two tabs starting together end with one perm key rather
   * than each storing its own over the other's. Storage no one shares may leave it out.
   */
  exclusive?<T>(dcId: number, fn: () => Promise<T>): Promise<T>
  /**
   * The home DC after a PHONE/NETWORK/USER_MIGRATE moved it (api/datacenter), so a reload
   * starts there; undefined until one did. Storage that leaves these out starts at
   * WorkerOptions.defaultDcId each time.
   */
  getHome?(): Promise<number | undefined>
  setHome?(dcId: number): Promise<void>
  /**
   * A DH group's fixed-base powers of g (handshake/dh-powers.ts): public data, one entry,
   * the latest replacing it, so a reload's first connect computes g^b ~5× cheaper. The
   * engine checks what it reads; storage that leaves these out computes g^b in full.
   */
  getDhPowers?(): Promise<unknown>
  setDhPowers?(bytes: Uint8Array): Promise<void>
}

export interface EngineClock {
  /** Monotonic milliseconds (performance.now()). */
  now(): number
  /** Unix milliseconds (Date.now()). */
  wallNow(): number
}

export type CancelTimer = () => void

export interface EngineEnv {
  openSocket(url: string): SocketLike
  permKeys: PermKeyStorage
  clock: EngineClock
  random: (n: number) => Uint8Array
  setTimer(ms: number, fn: () => void): CancelTimer
  /** Tells the engine when the host goes online or offline (the browser's events); optional. */
  watchNetwork?(listener: (kind: 'online' | 'offline') => void): void
  /**
   * The host's modular exponentiation for the handshake's DH, where it beats ours (Node's
   * OpenSSL: the simulation runs thousands of handshakes). Browsers leave it out.
   */
  modPow?: ModPow
}
