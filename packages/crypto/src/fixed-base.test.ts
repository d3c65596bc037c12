import { describe, expect, it } from 'vitest'
import { bytesToBigInt } from './bigint.ts'
import { runCooperative, runSync } from './cooperative.ts'
import { dhGenerate, dhGenerateAsync } from './dh.ts'
import { KNOWN_DH_PRIME } from './dh-prime.ts'
import { FIXED_BASE_POWERS, fixedBasePowersSteps, fixedBasePowSteps } from './fixed-base.ts'
import { modPow } from './modpow.ts'
import { seededRandom } from '../test/seeded-random.ts'

const P = KNOWN_DH_PRIME
const powers = runSync(fixedBasePowersSteps(3, P))
const fixedPow = (e: bigint): bigint => runSync(fixedBasePowSteps(powers, e))

describe('fixed-base g^e from stored powers (issue #17)', () => {
  it('equals modPow for random 2048-bit exponents', () => {
    const random = seededRandom(17)
    for (let i = 0; i < 12; i++) {
      const e = bytesToBigInt(random(256))
      expect(fixedPow(e)).toBe(modPow(3n, e, P))
    }
  })

  it('equals modPow at the edges: 0, 1, leading zero digits, all-ones digits, the top digit', () => {
    const all = (1n << BigInt(6 * FIXED_BASE_POWERS)) - 1n
    const cases = [0n, 1n, 63n, 64n, 1n << 2047n, (1n << 2048n) - 1n, all, all / 63n, (all / 63n) * 62n, 12345n << 1900n]
    for (const e of cases) expect(fixedPow(e)).toBe(modPow(3n, e, P))
  })

  it('works for another group and g', () => {
    const p = P - 2n ** 100n
    const other = runSync(fixedBasePowersSteps(5, p))
    const e = bytesToBigInt(seededRandom(5)(256))
    expect(runSync(fixedBasePowSteps(other, e))).toBe(modPow(5n, e, p))
  })

  it('the build pauses after every power: it never holds the thread for the whole modexp', async () => {
    let pauses = 0
    const built = await runCooperative(fixedBasePowersSteps(3, P), { sliceMs: 0, yieldNow: async () => void pauses++ })
    expect(pauses).toBe(FIXED_BASE_POWERS - 1)
    expect(built.table).toEqual(powers.table)
  })

  it('dhGenerateAsync with the powers draws the same pair as dhGenerate without them', async () => {
    const prime = new Uint8Array(256)
    prime.set(Array.from({ length: 256 }, (_, i) => Number((P >> BigInt(8 * (255 - i))) & 255n)))
    const a = dhGenerate(3, prime, seededRandom(9))
    const b = await dhGenerateAsync(3, prime, seededRandom(9), { powers })
    expect(b).toEqual(a)
    // powers of another g are not used
    const c = await dhGenerateAsync(2, prime, seededRandom(9), { powers })
    expect(bytesToBigInt(c.gB)).toBe(modPow(2n, bytesToBigInt(c.b), P))
  })
})
