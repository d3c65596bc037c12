/**
 * The engine's EngineEnv in a fuzz epoch: sockets to the fuzz server, the virtual loop's
 * clocks and timers, a seeded random stream and in-memory perm-key storage.
 */
import type { EngineEnv, PermKeyStorage } from '@pfs-web/worker'
import { openFuzzSocket, type ServerSide } from './fuzz-socket.ts'
import type { Prng } from './prng.ts'
import type { VirtualLoop } from './virtual-loop.ts'

/** What browsers and Node do with a longer delay: fire after 1 ms (so an unbounded timer spins, and the fuzz sees it). */
const PLATFORM_MAX_MS = 2 ** 31 - 1

export function fuzzEnv(loop: VirtualLoop, server: ServerSide, rng: Prng, permKeys: PermKeyStorage): EngineEnv {
  return {
    openSocket: (url) => openFuzzSocket(loop, server, url),
    permKeys,
    clock: { now: () => loop.now, wallNow: () => loop.wallNow() },
    random: (n) => rng.bytes(n),
    setTimer: (ms, fn) => loop.setTimer(ms > PLATFORM_MAX_MS ? 1 : ms, fn),
  }
}

export function memoryStorage(): PermKeyStorage {
  const map = new Map<number, Uint8Array>()
  return {
    get: async (dc) => map.get(dc)?.slice(),
    set: async (dc, key) => void map.set(dc, key.slice()),
    delete: async (dc) => void map.delete(dc),
  }
}
