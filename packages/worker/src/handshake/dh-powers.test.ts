import {
  bigIntToBytes,
  bytesToBigInt,
  dhGenerateAsync,
  FIXED_BASE_POWERS,
  fixedBasePowersSteps,
  KNOWN_DH_PRIME,
  modPow,
  runCooperative,
} from '@pfs-web/crypto'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryPermKeyStorage } from '../edge/storage/memory-perm-key-storage.ts'
import type { PermKeyStorage } from '../env.ts'
import { fakeEnv } from '../test-support/virtual-env.ts'
import { DhPairPool, type DhPairLimits } from './dh-pairs.ts'
import { powersFromBytes, powersToBytes } from './dh-powers.ts'

const P = KNOWN_DH_PRIME
const PRIME = bigIntToBytes(P, 256)
const OTHER = P - 2n ** 100n
// sliceMs 0: the maths pauses at every step it offers, so the pauses can be counted
const LIMITS: DhPairLimits = { groups: 2, pairsPerGroup: 1, idleDelayMs: 500, sliceMs: 0, pauseMs: 4 }
const build = (g: number, p: bigint) => runCooperative(fixedBasePowersSteps(g, p), { sliceMs: 1e9 })
const powers3 = await build(3, P)
/** Valid-looking powers that are 5's past T[0] = 3: g^b made with them shows they were used. */
const marked = powersToBytes({ g: 3, p: P, table: [3n, ...(await build(5, P)).table.slice(1)] })
const withMarked = (b: Uint8Array): bigint => {
  const e = bytesToBigInt(b)
  return (modPow(3n, e & 63n, P) * modPow(5n, e - (e & 63n), P)) % P
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

/** A pool over storage, after one handshake met (3, P) and its idle time ran. */
async function poolAfterIdle(storage: PermKeyStorage) {
  const f = fakeEnv(storage)
  const pool = new DhPairPool(f.env, LIMITS)
  await pool.restore()
  expect(pool.take(3, PRIME)).toBeNull()
  await f.runAll()
  return { f, pool, pair: pool.take(3, PRIME) }
}

describe('DH fixed-base powers: built in idle time, stored, restored (issue #17)', () => {
  it('after a first handshake the pool builds the powers in pauses and stores exactly them: public data, no b', async () => {
    const storage = createMemoryPermKeyStorage()
    const { f, pair } = await poolAfterIdle(storage)
    // the idle delay, one pause per power built, then the pair's own pauses
    expect(f.fired()).toBeGreaterThan(FIXED_BASE_POWERS)
    const stored = (await storage.getDhPowers?.()) as Uint8Array
    expect(stored).toEqual(powersToBytes(powers3))
    expect((await powersFromBytes(stored))?.table[5]).toBe(modPow(3n, 2n ** 30n, P))
    // not one 256-byte drawn exponent appears anywhere in what was written
    const all = hex(stored)
    for (const b of f.drawn) expect(all.includes(hex(b))).toBe(false)
    expect(pair && bytesToBigInt(pair.gB)).toBe(pair && modPow(3n, bytesToBigInt(pair.b), P))
  })

  it('a new engine restores them before its first handshake, which computes its g^b from them', async () => {
    const storage = createMemoryPermKeyStorage()
    await storage.setDhPowers?.(marked)
    const pool = new DhPairPool(fakeEnv(storage).env, LIMITS)
    expect(pool.powers(3, PRIME)).toBeUndefined()
    await pool.restore()
    // only for the group they were built for
    expect(pool.powers(3, bigIntToBytes(OTHER, 256))).toBeUndefined()
    expect(pool.powers(2, PRIME)).toBeUndefined()
    const powers = pool.powers(3, PRIME)
    const pair = await dhGenerateAsync(3, PRIME, fakeEnv().env.random, { sliceMs: 1e9, powers })
    expect(bytesToBigInt(pair.gB)).toBe(withMarked(pair.b))
  })

  it('the pool makes its pairs with restored powers and does not build or store them again', async () => {
    const storage = createMemoryPermKeyStorage()
    await storage.setDhPowers?.(marked)
    let writes = 0
    const { f, pair } = await poolAfterIdle({ ...storage, setDhPowers: async () => void writes++ })
    expect(writes).toBe(0)
    expect(f.fired()).toBeLessThan(FIXED_BASE_POWERS)
    expect(bytesToBigInt(pair!.gB)).toBe(withMarked(pair!.b))
  })

  const truncated = powersToBytes(powers3).slice(0, -1)
  const flipped = powersToBytes(powers3)
  flipped[1000] = (flipped[1000] as number) ^ 1
  it.each([
    ['truncated', truncated],
    ['one bit flipped', flipped],
    ['not bytes', { table: [3] }],
    ['of another digit width', powersToBytes(powers3).subarray(256 * 10)],
  ])('stored powers %s are ignored: g^b is plain and right, and good powers are built and stored', async (_, bad) => {
    const storage = createMemoryPermKeyStorage()
    let stored: unknown = bad
    const f = fakeEnv({ ...storage, getDhPowers: async () => stored, setDhPowers: async (bytes) => void (stored = bytes) })
    const pool = new DhPairPool(f.env, LIMITS)
    await pool.restore()
    expect(pool.powers(3, PRIME)).toBeUndefined()
    pool.take(3, PRIME)
    await f.runAll()
    const pair = pool.take(3, PRIME)
    expect(bytesToBigInt(pair!.gB)).toBe(modPow(3n, bytesToBigInt(pair!.b), P))
    expect(stored).toEqual(powersToBytes(powers3))
  })

  it('powers of another group that are valid stay unused for this one: its pair is right and its own powers replace them', async () => {
    const storage = createMemoryPermKeyStorage()
    await storage.setDhPowers?.(powersToBytes(await build(3, OTHER)))
    const { pair } = await poolAfterIdle(storage)
    expect(bytesToBigInt(pair!.gB)).toBe(modPow(3n, bytesToBigInt(pair!.b), P))
    expect(await storage.getDhPowers?.()).toEqual(powersToBytes(powers3))
  })

  it('storage that fails or keeps no powers costs nothing but speed', async () => {
    const failing: PermKeyStorage = {
      ...createMemoryPermKeyStorage(),
      getDhPowers: () => Promise.reject(new Error('disk')),
      setDhPowers: () => Promise.reject(new Error('full')),
    }
    const { pair } = await poolAfterIdle(failing)
    expect(bytesToBigInt(pair!.gB)).toBe(modPow(3n, bytesToBigInt(pair!.b), P))
    const { getDhPowers: _g, setDhPowers: _s, ...none } = createMemoryPermKeyStorage()
    const plain = await poolAfterIdle(none)
    expect(bytesToBigInt(plain.pair!.gB)).toBe(modPow(3n, bytesToBigInt(plain.pair!.b), P))
  })

  it('a digest WebCrypto refuses while checking stored powers costs nothing but speed: restore() still resolves', async () => {
    const storage = createMemoryPermKeyStorage()
    await storage.setDhPowers?.(powersToBytes(powers3))
    const digest = vi.spyOn(crypto.subtle, 'digest').mockRejectedValue(new DOMException('boom', 'OperationError'))
    const pool = new DhPairPool(fakeEnv(storage).env, LIMITS)
    await expect(pool.restore()).resolves.toBeUndefined()
    expect(digest).toHaveBeenCalled()
    expect(pool.powers(3, PRIME)).toBeUndefined()
    digest.mockRestore()
  })

  it('a host with its own modPow (the simulation) builds no powers', async () => {
    const storage = createMemoryPermKeyStorage()
    const f = fakeEnv(storage)
    const pool = new DhPairPool({ ...f.env, modPow }, LIMITS)
    pool.take(3, PRIME)
    await f.runAll()
    expect(pool.ready(3, PRIME)).toBe(1)
    expect(await storage.getDhPowers?.()).toBeUndefined()
  })
})
