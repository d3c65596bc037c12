/**
 * A client DH pair (b, g^b mod p) computed while a handshake's first round trips are in
 * flight (issue #17), for the group the server will most likely offer: on a page's first
 * connect no pair was made ahead, and g^b would otherwise sit on the critical path after
 * server_DH_params_ok arrives. The pair is the handshake's alone, used once (the handshake
 * zeroes b after g_a^b) or, when the server's group differs or the handshake ends first,
 * its maths stopped at the next pause and b zeroed.
 */
import { dhGenerateAsync, yieldToEventLoop, type CooperativeOptions } from '@pfs-web/crypto'
import type { DhGroup, DhPair } from './dh-pairs.ts'

const sameGroup = (a: DhGroup, g: number, dhPrime: Uint8Array): boolean =>
  a.g === g && a.dhPrime.length === dhPrime.length && a.dhPrime.every((x, i) => x === dhPrime[i])

export class DhSpeculation {
  readonly #group: DhGroup
  readonly #pair: Promise<DhPair | null>
  /** Every b drawn (dhGenerate redraws out-of-range ones): zeroed on drop, even mid-maths. */
  readonly #drawn: Uint8Array[] = []
  #taken = false
  #dropped = false

  /**
   * Starts after a microtask, so the message just built (req_pq) goes out first; then
   * computes in `cooperative`'s slices like the handshake's own maths.
   */
  constructor(group: DhGroup, random: (n: number) => Uint8Array, cooperative: CooperativeOptions = {}) {
    this.#group = group
    const pause = cooperative.yieldNow ?? yieldToEventLoop
    const yieldNow = async (): Promise<void> => {
      await pause()
      if (this.#dropped) throw new Error('speculation dropped')
    }
    const draw = (n: number): Uint8Array => {
      const out = random(n)
      this.#drawn.push(out)
      return out
    }
    this.#pair = Promise.resolve()
      .then(() => dhGenerateAsync(group.g, group.dhPrime, draw, { ...cooperative, yieldNow, powers: group.powers }))
      .catch(() => null)
  }

  /**
   * The pair when it was made for this group (waiting for the rest of its maths), else
   * null and the pair dropped. Either way the speculation is spent.
   */
  async take(g: number, dhPrime: Uint8Array): Promise<DhPair | null> {
    if (this.#taken || this.#dropped || !sameGroup(this.#group, g, dhPrime)) {
      this.drop()
      return null
    }
    this.#taken = true
    return this.#pair
  }

  /** Stops the maths at its next pause and zeroes every b drawn, now and once it ends (idempotent). */
  drop(): void {
    if (this.#taken) return
    this.#dropped = true
    const wipe = (): void => {
      for (const b of this.#drawn) b.fill(0)
    }
    wipe()
    void this.#pair.then(wipe)
  }
}
