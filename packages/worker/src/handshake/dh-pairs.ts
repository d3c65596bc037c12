/**
 * Client DH pairs (b, g_b = g^b mod p) made ahead, in idle time, for the (dh_prime, g)
 * groups this engine's handshakes have met (issue #17): a later handshake in the same
 * group — a rotation, a recovery, another DC — then has only g_a^b on its critical path.
 *
 * A pair is handed out once: take() removes it before returning it, and the handshake
 * zeroes b after computing the auth key; close() zeroes whatever is left. Pairs live in
 * this object only (worker memory), a few per group, for a few groups. The work is
 * scheduled through the engine's env (its timers, clock, random and modPow), so a
 * virtual-time host (the simulation) runs it at deterministic points.
 *
 * Before its first pair for a group, the pool builds the group's fixed-base powers
 * (fixed-base.ts, public data) and stores them with the perm keys; the next engine
 * (a reload) restores them, so even its first connect's g^b is cheap. A host with its
 * own modPow (the simulation's OpenSSL) needs no powers: that modPow is faster.
 *
 * When no pair is ready, likelyGroup() names the group a new handshake will most likely
 * be offered, and the handshake computes its own pair for it while its first round trips
 * are in flight (handshake.ts #speculate): a page's first connect has no pair made ahead.
 */
import {
  bigIntToBytes,
  bytesToBigInt,
  dhGenerateAsync,
  fixedBasePowersSteps,
  KNOWN_DH_PRIME,
  runCooperative,
  type FixedBasePowers,
} from '@pfs-web/crypto'
import type { EngineEnv } from '../env.ts'
import { powersFromBytes, powersToBytes } from './dh-powers.ts'

/** A DH group: (g, dh_prime) as server_DH_inner_data gives them. */
export interface DhGroup {
  g: number
  dhPrime: Uint8Array
  /** Fixed-base powers of g when the pool has them: g^b then costs ~1/5 of a modexp. */
  powers?: FixedBasePowers | undefined
}

/** Telegram's servers offer the well-known prime with g = 3 (auth-key.md step 6). */
const WELL_KNOWN_GROUP = { g: 3, dhPrime: bigIntToBytes(KNOWN_DH_PRIME, 256) }

export interface DhPair {
  /** 256 bytes; the taker owns it and must zero it after use. */
  b: Uint8Array
  gB: Uint8Array
}

export interface DhPairSource {
  /**
   * A pair made ahead for this group, or null: the caller computes one inline. Either
   * way the group counts as seen and another pair is made for it later. Call it only
   * for a group that passed checkDhParams.
   */
  take(g: number, dhPrime: Uint8Array): DhPair | null
  /**
   * This group's fixed-base powers of g when known (built here or stored by an earlier
   * page): a g^b computed inline then costs ~1/5 of a modexp.
   */
  powers?(g: number, dhPrime: Uint8Array): FixedBasePowers | undefined
  /**
   * The group a handshake starting now will most likely be offered, when no pair is ready
   * for it (the handshake then computes one while its first round trips are in flight);
   * null when one is ready or the source is closed.
   */
  likelyGroup?(): DhGroup | null
}

export interface DhPairLimits {
  /** Groups remembered at once; the least recently used one goes (its pairs zeroed). */
  groups: number
  pairsPerGroup: number
  /** Wait this long after a group was used before computing, so a connect's own work goes first. */
  idleDelayMs: number
  /** Slice length and pause between slices while computing: a small share of the thread. */
  sliceMs: number
  pauseMs: number
}

export const DEFAULT_DH_PAIR_LIMITS: DhPairLimits = { groups: 2, pairsPerGroup: 1, idleDelayMs: 500, sliceMs: 0.5, pauseMs: 4 }

interface Group {
  key: string
  g: number
  dhPrime: Uint8Array
  pairs: DhPair[]
  /** A fill is waiting for its timer or computing. */
  busy: boolean
  /** Cancels the fill's pending timer (idle delay or pause), which stops the fill. */
  stop?: (() => void) | undefined
}

type PoolEnv = Pick<EngineEnv, 'setTimer' | 'random' | 'clock' | 'modPow'> & { permKeys?: EngineEnv['permKeys'] }

export class DhPairPool implements DhPairSource {
  /** In least recently used order (a Map keeps insertion order). */
  readonly #groups = new Map<string, Group>()
  #closed = false
  /** One group's powers, built here or restored: Telegram offers one group. */
  #powers: FixedBasePowers | null = null
  readonly #env: PoolEnv
  readonly #limits: DhPairLimits

  constructor(env: PoolEnv, limits: DhPairLimits = DEFAULT_DH_PAIR_LIMITS) {
    this.#env = env
    this.#limits = limits
  }

  /**
   * Reads stored powers (before a connect); any that fail powersFromBytes are ignored, and
   * so is a storage or digest that throws: they are a cache, and init() must not fail on it.
   */
  async restore(): Promise<void> {
    this.#powers ??= await this.#env.permKeys
      ?.getDhPowers?.()
      .then(powersFromBytes)
      .catch(() => null) ?? null
  }

  take(g: number, dhPrime: Uint8Array): DhPair | null {
    if (this.#closed) return null
    const key = `${g}:${bytesToBigInt(dhPrime)}`
    const groups = this.#groups
    const group = groups.get(key) ?? { key, g, dhPrime: dhPrime.slice(), pairs: [], busy: false }
    groups.delete(key)
    groups.set(key, group)
    for (const old of groups.values()) {
      if (groups.size <= this.#limits.groups) break
      groups.delete(old.key)
      drop(old)
    }
    const pair = group.pairs.shift() ?? null
    this.#fillLater(group)
    return pair
  }

  /** The group used last, else the stored powers' (an earlier page met it), else the well-known one. */
  likelyGroup(): DhGroup | null {
    if (this.#closed) return null
    let last: Group | undefined
    for (const group of this.#groups.values()) last = group
    if (last) return last.pairs.length ? null : { g: last.g, dhPrime: last.dhPrime, powers: this.powers(last.g, last.dhPrime) }
    const stored = this.#powers
    return stored ? { g: stored.g, dhPrime: bigIntToBytes(stored.p, 256), powers: stored } : WELL_KNOWN_GROUP
  }

  powers(g: number, dhPrime: Uint8Array): FixedBasePowers | undefined {
    const powers = this.#powers
    return powers?.g === g && powers.p === bytesToBigInt(dhPrime) ? powers : undefined
  }

  /** Pairs ready for this group now (for tests and the bench). */
  ready(g: number, dhPrime: Uint8Array): number {
    return this.#groups.get(`${g}:${bytesToBigInt(dhPrime)}`)?.pairs.length ?? 0
  }

  /** Stops any fill and zeroes every pair left. */
  close(): void {
    this.#closed = true
    for (const group of this.#groups.values()) drop(group)
    this.#groups.clear()
  }

  /** Still the pool's: not evicted, and the pool not closed (close() empties the map). */
  #holds(group: Group): boolean {
    return this.#groups.get(group.key) === group
  }

  #fillLater(group: Group): void {
    if (group.busy || group.pairs.length >= this.#limits.pairsPerGroup || !this.#holds(group)) return
    group.busy = true
    void this.#fill(group)
  }

  async #fill(group: Group): Promise<void> {
    const env = this.#env
    const { idleDelayMs, sliceMs, pauseMs } = this.#limits
    // every wait is a timer that drop() cancels, rejecting the wait and so ending the fill;
    // a group dropped while its maths ran stops at its next pause
    const wait = (ms: number): Promise<void> =>
      new Promise((resolve, reject) => {
        if (!this.#holds(group)) throw new Error('dropped')
        const cancel = env.setTimer(ms, resolve)
        group.stop = () => {
          cancel()
          reject(new Error('dropped'))
        }
      })
    try {
      await wait(idleDelayMs)
      const cooperative = { now: () => env.clock.now(), sliceMs, yieldNow: () => wait(pauseMs) }
      let powers = this.powers(group.g, group.dhPrime)
      if (!powers && !env.modPow) {
        this.#powers = powers = await runCooperative(fixedBasePowersSteps(group.g, bytesToBigInt(group.dhPrime)), cooperative)
        // best effort: without them the next page computes g^b in full, as before
        await env.permKeys?.setDhPowers?.(powersToBytes(powers)).catch(() => undefined)
      }
      const pair = await dhGenerateAsync(group.g, group.dhPrime, env.random, {
        ...cooperative,
        powers,
        ...(env.modPow !== undefined ? { modPow: env.modPow } : {}),
      })
      if (this.#holds(group)) group.pairs.push(pair)
      else pair.b.fill(0)
    } catch {
      // dropped, or no g_b in range after many draws (a broken random source): the next
      // handshake computes inline, as for a group never seen
      return
    } finally {
      group.busy = false
      group.stop = undefined
    }
    this.#fillLater(group)
  }
}

function drop(group: Group): void {
  group.stop?.()
  for (const pair of group.pairs) pair.b.fill(0)
  group.pairs = []
}
