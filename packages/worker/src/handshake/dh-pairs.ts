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
 */
import { dhGenerateAsync } from '@pfs-web/crypto'
import type { EngineEnv } from '../env.ts'

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
  g: number
  dhPrime: Uint8Array
  pairs: DhPair[]
  /** A fill is waiting for its timer or computing. */
  filling: boolean
  /** Set once the group is evicted or the pool closed: a fill under way stops. */
  dropped: boolean
  /** Cancels the pending timer (idle delay or pause) and stops a fill under way. */
  stop: (() => void) | null
}

class Dropped extends Error {}

export class DhPairPool implements DhPairSource {
  readonly #groups = new Map<string, Group>()
  #closed = false
  readonly #env: Pick<EngineEnv, 'setTimer' | 'random' | 'clock' | 'modPow'>
  readonly #limits: DhPairLimits

  constructor(env: Pick<EngineEnv, 'setTimer' | 'random' | 'clock' | 'modPow'>, limits: DhPairLimits = DEFAULT_DH_PAIR_LIMITS) {
    this.#env = env
    this.#limits = limits
  }

  take(g: number, dhPrime: Uint8Array): DhPair | null {
    if (this.#closed) return null
    const key = `${g}:${toHex(dhPrime)}`
    let group = this.#groups.get(key)
    if (group) this.#groups.delete(key)
    else group = { g, dhPrime: dhPrime.slice(), pairs: [], filling: false, dropped: false, stop: null }
    // re-inserted last: the Map's order is the least recently used first
    this.#groups.set(key, group)
    while (this.#groups.size > this.#limits.groups) {
      const [oldKey, old] = this.#groups.entries().next().value as [string, Group]
      this.#groups.delete(oldKey)
      drop(old)
    }
    const pair = group.pairs.shift() ?? null
    this.#fillLater(group)
    return pair
  }

  /** Pairs ready for this group now (for tests and the bench). */
  ready(g: number, dhPrime: Uint8Array): number {
    return this.#groups.get(`${g}:${toHex(dhPrime)}`)?.pairs.length ?? 0
  }

  /** Stops any fill and zeroes every pair left. */
  close(): void {
    this.#closed = true
    for (const group of this.#groups.values()) drop(group)
    this.#groups.clear()
  }

  #fillLater(group: Group): void {
    if (this.#closed || group.dropped || group.filling || group.pairs.length >= this.#limits.pairsPerGroup) return
    group.filling = true
    const cancel = this.#env.setTimer(this.#limits.idleDelayMs, () => {
      group.stop = null
      void this.#fill(group)
    })
    group.stop = () => {
      cancel()
      group.filling = false
    }
  }

  async #fill(group: Group): Promise<void> {
    try {
      const pair = await dhGenerateAsync(group.g, group.dhPrime, this.#env.random, {
        now: () => this.#env.clock.now(),
        sliceMs: this.#limits.sliceMs,
        yieldNow: () =>
          new Promise<void>((resolve, reject) => {
            const cancel = this.#env.setTimer(this.#limits.pauseMs, () => {
              group.stop = null
              resolve()
            })
            group.stop = () => {
              cancel()
              reject(new Dropped())
            }
          }),
        ...(this.#env.modPow !== undefined ? { modPow: this.#env.modPow } : {}),
      })
      if (group.dropped) {
        pair.b.fill(0)
        return
      }
      group.pairs.push(pair)
    } catch {
      // Dropped, or no g_b in range after many draws (a broken random source):
      // the next handshake computes inline, as for a group never seen.
      return
    } finally {
      group.filling = false
    }
    this.#fillLater(group)
  }
}

function drop(group: Group): void {
  group.dropped = true
  group.stop?.()
  group.stop = null
  for (const pair of group.pairs) pair.b.fill(0)
  group.pairs = []
}

function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}
