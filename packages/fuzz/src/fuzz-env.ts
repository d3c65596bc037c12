/**
 * The engine's EngineEnv in a fuzz epoch: sockets to the fuzz server, the virtual loop's
 * clocks and timers, a seeded random stream and in-memory perm-key storage.
 */
import { modPow as engineModPow, type ModPow } from '@pfs-web/crypto'
import { nodeMtproto as kit } from '@pfs-web/server'
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
    modPow: wellKnownPrimeOnOpenSsl,
  }
}

/**
 * EngineEnv.modPow: the well-known 2048-bit prime's exponentiations on OpenSSL (through the
 * server's node:crypto DH), the engine's own BigInt code for anything else. Honest
 * handshakes are the bulk of a run's CPU otherwise; a hostile dh_prime still meets ours.
 */
const wellKnownPrimeOnOpenSsl: ModPow = (base, exponent, modulus) => {
  const b = base % modulus
  const e = exponent % (modulus - 1n)
  if (modulus !== kit.DH_PRIME || b < 2n || e === 0n) return engineModPow(base, exponent, modulus)
  return kit.bigFromBytes(kit.dhSharedKey(b, e))
}

export function memoryStorage(): PermKeyStorage {
  const map = new Map<number, Uint8Array>()
  return {
    get: async (dc) => map.get(dc)?.slice(),
    set: async (dc, key) => void map.set(dc, key.slice()),
    delete: async (dc) => void map.delete(dc),
  }
}
