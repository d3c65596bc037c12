import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { authKeyIdBigInt } from '@pfs-web/crypto'
import { startServer, type RunningServer } from '@pfs-web/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryPermKeyStorage } from '../edge/storage/memory-perm-key-storage.ts'
import { nodeEnv } from '../test-support/node-env.ts'
import { DhPairPool, type DhPair, type DhPairSource } from './dh-pairs.ts'
import type { HandshakeResult } from './handshake.ts'
import { loadRsaKeys } from './rsa-keys.ts'
import { runHandshake } from './run-handshake.ts'

let server: RunningServer
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-dh-pairs-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

interface Take {
  g: number
  dhPrime: Uint8Array
  pair: DhPair | null
}

/** The pool as the handshake sees it, recording each take() and its answer, and the powers it gave (by powers() or with likelyGroup()). */
function recording(pool: DhPairPool): DhPairSource & { takes: Take[]; powersGiven: number } {
  const source = {
    takes: [] as Take[],
    powersGiven: 0,
    take(g: number, dhPrime: Uint8Array) {
      const pair = pool.take(g, dhPrime)
      source.takes.push({ g, dhPrime, pair })
      return pair
    },
    powers(g: number, dhPrime: Uint8Array) {
      const powers = pool.powers(g, dhPrime)
      if (powers) source.powersGiven++
      return powers
    },
    likelyGroup() {
      const group = pool.likelyGroup()
      if (group?.powers) source.powersGiven++
      return group
    },
  }
  return source
}

let msgId = BigInt(Math.floor(Date.now() / 1000)) << 32n
const env = nodeEnv()
const tempHandshake = (dhPairs: DhPairSource, random = env.random): Promise<HandshakeResult> =>
  runHandshake({
    env: { ...env, random },
    url: `ws://${server.host}:${server.wsPort}/apiws`,
    purpose: 'temp-handshake',
    options: { mode: { kind: 'temp', expiresIn: 3600 }, wireDcId: 2, rsaKeys: loadRsaKeys([server.rsaPublicKeyPem]), random, dhPairs },
    nextMsgId: () => (msgId += 4n),
    timeoutMs: 20_000,
  })

/** The server made the same auth key: it accepted our g_b and derived g_b^a = g_a^b. */
const serverHolds = (r: HandshakeResult): boolean =>
  server.stats().keys.some((k) => BigInt.asUintN(64, BigInt(k.id)) === authKeyIdBigInt(r.authKey))

describe('handshakes with DH pairs made ahead, against the conformance server (issue #17)', () => {
  it('a first handshake (pool empty, no powers) uses the b it drew for the well-known group while its first round trips were in flight, once, and zeroes it', async () => {
    const pool = new DhPairPool(env, { groups: 2, pairsPerGroup: 1, idleDelayMs: 60_000, sliceMs: 0.5, pauseMs: 1 })
    const source = recording(pool)
    const draws: { b: Uint8Array; beforeDhStep: boolean }[] = []
    const random = (n: number): Uint8Array => {
      const out = env.random(n)
      if (n === 256) draws.push({ b: out, beforeDhStep: source.takes.length === 0 })
      return out
    }
    try {
      const first = await tempHandshake(source, random)
      expect(source.takes.map((t) => t.pair)).toEqual([null])
      expect(source.powersGiven).toBe(0)
      expect(serverHolds(first)).toBe(true)
      // one b, drawn before server_DH_params_ok was handled, and zero now
      expect(draws.map((d) => d.beforeDhStep)).toEqual([true])
      expect(draws[0]?.b.every((x) => x === 0)).toBe(true)
    } finally {
      pool.close()
    }
  }, 30_000)

  it('a reload: a pool that restored stored powers gives them to the first handshake, whose key the server holds', async () => {
    const storage = createMemoryPermKeyStorage()
    const builder = new DhPairPool({ ...env, permKeys: storage }, { groups: 2, pairsPerGroup: 1, idleDelayMs: 10, sliceMs: 0.5, pauseMs: 1 })
    const first = recording(builder)
    try {
      await tempHandshake(first)
      const { g, dhPrime } = first.takes[0] as Take
      await expect.poll(() => builder.ready(g, dhPrime), { timeout: 20_000, interval: 20 }).toBe(1)
    } finally {
      builder.close()
    }
    const pool = new DhPairPool({ ...env, permKeys: storage }, { groups: 2, pairsPerGroup: 1, idleDelayMs: 60_000, sliceMs: 0.5, pauseMs: 1 })
    await pool.restore()
    const source = recording(pool)
    try {
      const result = await tempHandshake(source)
      expect(source.takes.map((t) => t.pair)).toEqual([null])
      expect(source.powersGiven).toBe(1)
      expect(serverHolds(result)).toBe(true)
    } finally {
      pool.close()
    }
  }, 40_000)

  it('a group seen first gets no pair from the pool; the next handshake uses the pair made meanwhile, once, and zeroes its b', async () => {
    const pool = new DhPairPool(env, { groups: 2, pairsPerGroup: 1, idleDelayMs: 10, sliceMs: 0.5, pauseMs: 1 })
    const source = recording(pool)
    try {
      const first = await tempHandshake(source)
      expect(source.takes.map((t) => t.pair)).toEqual([null])
      expect(serverHolds(first)).toBe(true)

      // the server's group is now seen: a pair for it is made in idle time
      const { g, dhPrime } = source.takes[0] as Take
      await expect.poll(() => pool.ready(g, dhPrime), { timeout: 10_000, interval: 20 }).toBe(1)
      const second = await tempHandshake(source)
      const used = source.takes[1]?.pair
      if (!used) throw new Error('the second handshake computed inline')
      expect(serverHolds(second)).toBe(true)
      expect(used.b.every((x) => x === 0)).toBe(true)

      // the next pair made is another one
      await expect.poll(() => pool.ready(g, dhPrime), { timeout: 10_000, interval: 20 }).toBe(1)
      await tempHandshake(source)
      const next = source.takes[2]?.pair
      expect(next).toBeTruthy()
      expect(next).not.toBe(used)
      expect(next?.gB).not.toEqual(used.gB)
    } finally {
      pool.close()
    }
  }, 30_000)
})
