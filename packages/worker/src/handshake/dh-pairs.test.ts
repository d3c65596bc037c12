import { bigIntToBytes, bytesToBigInt, KNOWN_DH_PRIME, modPow } from '@pfs-web/crypto'
import { describe, expect, it } from 'vitest'
import { fakeEnv } from '../test-support/virtual-env.ts'
import { DhPairPool, type DhPairLimits } from './dh-pairs.ts'

// Any 2048-bit odd modulus serves: the pool computes g^b mod p and does not test p.
const P1 = bytesToBigInt(new Uint8Array(256).fill(0xc5)) | 1n
const P2 = P1 - 2n ** 100n
const P3 = P1 - 2n ** 200n
const bytes = (p: bigint) => bigIntToBytes(p, 256)
const LIMITS: DhPairLimits = { groups: 2, pairsPerGroup: 1, idleDelayMs: 500, sliceMs: 0.5, pauseMs: 4 }
const MARGIN = 2n ** 1984n
const zero = (b: Uint8Array) => b.every((x) => x === 0)

describe('DhPairPool (issue #17: client DH made ahead, used once)', () => {
  it('a group seen for the first time has no pair (the handshake computes inline); one is made for it in idle time', async () => {
    const f = fakeEnv()
    const pool = new DhPairPool(f.env, LIMITS)
    expect(pool.take(3, bytes(P1))).toBeNull()
    expect(f.pending()).toBe(1)
    expect(pool.ready(3, bytes(P1))).toBe(0)
    await f.runAll()
    expect(pool.ready(3, bytes(P1))).toBe(1)
    const pair = pool.take(3, bytes(P1))
    if (!pair) throw new Error('no pair')
    // the same g_b the inline path makes, with the same range check (auth-key.md step 7)
    const gB = bytesToBigInt(pair.gB)
    expect(gB).toBe(modPow(3n, bytesToBigInt(pair.b), P1))
    expect(gB > MARGIN && gB < P1 - MARGIN).toBe(true)
    expect(pair.gB).toHaveLength(256)
  })

  it('never makes a pair for a group no handshake has met: nothing at start, nothing for another g or prime', async () => {
    const f = fakeEnv()
    const pool = new DhPairPool(f.env, LIMITS)
    await f.runAll()
    expect(f.pending()).toBe(0)
    expect(f.drawn).toHaveLength(0)
    pool.take(3, bytes(P1))
    await f.runAll()
    // one b drawn, for (3, P1): no other group got one, nor is one being made
    expect(f.drawn.filter((d) => d.length === 256)).toHaveLength(1)
    expect(f.pending()).toBe(0)
    expect([pool.ready(3, bytes(P1)), pool.ready(2, bytes(P1)), pool.ready(3, bytes(P2))]).toEqual([1, 0, 0])
  })

  it('a pair is handed out once: the next take gets another pair or none, never the same b', async () => {
    const f = fakeEnv()
    const pool = new DhPairPool(f.env, LIMITS)
    pool.take(3, bytes(P1))
    await f.runAll()
    const first = pool.take(3, bytes(P1))
    expect(first).not.toBeNull()
    const firstB = first?.b.slice()
    expect(pool.take(3, bytes(P1))).toBeNull()
    await f.runAll()
    const second = pool.take(3, bytes(P1))
    expect(second).not.toBeNull()
    expect(second?.b).not.toBe(first?.b)
    expect(second?.b).not.toEqual(firstB)
  })

  it('keys pairs by (g, dh_prime): another g or prime gets none of them', async () => {
    const f = fakeEnv()
    const pool = new DhPairPool(f.env, LIMITS)
    pool.take(3, bytes(P1))
    await f.runAll()
    expect(pool.take(2, bytes(P1))).toBeNull()
    expect(pool.take(3, bytes(P2))).toBeNull()
    expect(pool.ready(3, bytes(P2))).toBe(0)
  })

  it('stays bounded: the least recently used group goes when a third arrives, its b zeroed', async () => {
    const f = fakeEnv()
    const pool = new DhPairPool(f.env, LIMITS)
    pool.take(3, bytes(P1))
    pool.take(3, bytes(P2))
    await f.runAll()
    expect([pool.ready(3, bytes(P1)), pool.ready(3, bytes(P2))]).toEqual([1, 1])
    const made = f.drawn.filter((d) => d.length === 256)
    pool.take(3, bytes(P3))
    expect(pool.ready(3, bytes(P1))).toBe(0)
    // P1's pair was the first 2048-bit draw that made it into the pool
    expect(made.some(zero)).toBe(true)
    await f.runAll()
    expect(pool.ready(3, bytes(P2))).toBe(1)
    expect(pool.ready(3, bytes(P3))).toBe(1)
    expect(pool.ready(3, bytes(P1))).toBe(0)
  })

  it('close() zeroes every pair left, cancels a pending fill and makes no more', async () => {
    const f = fakeEnv()
    const pool = new DhPairPool(f.env, LIMITS)
    pool.take(3, bytes(P1))
    pool.take(3, bytes(P2))
    await f.runAll()
    pool.take(3, bytes(P2)) // P2's refill is now pending
    expect(f.pending()).toBe(1)
    pool.close()
    expect(f.pending()).toBe(0)
    const made = f.drawn.filter((d) => d.length === 256)
    expect(made.length).toBeGreaterThan(0)
    // P2's taken pair is the taker's to zero; every b still held by the pool is zero
    expect(made.filter((b) => !zero(b))).toHaveLength(1)
    expect(pool.take(3, bytes(P1))).toBeNull()
    await f.runAll()
    expect(f.drawn.filter((d) => d.length === 256)).toHaveLength(made.length)
  })

  it('likelyGroup: the well-known group before any handshake, then the group used last until a pair is ready for it', async () => {
    const f = fakeEnv()
    const pool = new DhPairPool(f.env, LIMITS)
    expect(pool.likelyGroup()).toEqual({ g: 3, dhPrime: bytes(KNOWN_DH_PRIME), powers: undefined })
    pool.take(3, bytes(P1))
    pool.take(7, bytes(P2))
    expect(pool.likelyGroup()).toMatchObject({ g: 7, dhPrime: bytes(P2) })
    await f.runAll()
    // a pair is ready for it: a new handshake takes that one and computes nothing early
    expect(pool.likelyGroup()).toBeNull()
    pool.close()
    expect(pool.likelyGroup()).toBeNull()
  })
})
