import { describe, expect, it } from 'vitest'
import { bigIntToBytes, bytesToBigInt } from './bigint.ts'
import { runCooperative, yieldToEventLoop, type CooperativeOptions, type Steps } from './cooperative.ts'
import { KNOWN_DH_PRIME } from './dh-prime.ts'
import { dhGenerate, dhGenerateAsync, dhShared, dhSharedAsync } from './dh.ts'
import { factorizePq, factorizePqAsync } from './factorize.ts'
import { modPow, modPowAsync } from './modpow.ts'
import { isPrime64 } from './primality.ts'
import { seededRandom } from '../test/seeded-random.ts'

const PRIME = bigIntToBytes(KNOWN_DH_PRIME, 256)

/** A fake clock that advances 1 ms per reading and a yield that only counts. */
function counting(sliceMs = 1): CooperativeOptions & { yields: () => number } {
  let t = 0
  let n = 0
  return {
    sliceMs,
    now: () => t++,
    yieldNow: () => {
      n++
      return Promise.resolve()
    },
    yields: () => n,
  }
}

function* countdown(steps: number): Steps<string> {
  for (let i = 0; i < steps; i++) yield
  return 'done'
}

describe('runCooperative', () => {
  it('yields once per elapsed slice and returns the generator result', async () => {
    // Each step reads the clock once (+1 ms): with 4 ms slices, 40 steps → one yield per 4.
    const opts = counting(4)
    expect(await runCooperative(countdown(40), opts)).toBe('done')
    expect(opts.yields()).toBe(10)
  })

  it('does not yield while the slice has time left', async () => {
    const opts = counting(1000)
    expect(await runCooperative(countdown(40), opts)).toBe('done')
    expect(opts.yields()).toBe(0)
  })

  it('the default yield lets a task queued meanwhile run before a 2048-bit modexp ends', async () => {
    const random = seededRandom(7)
    const exp = bytesToBigInt(random(256))
    let ranAt = Number.NaN
    let doneAt = Number.NaN
    setTimeout(() => (ranAt = performance.now()), 0)
    const r = await modPowAsync(3n, exp, KNOWN_DH_PRIME, { sliceMs: 0.5, yieldNow: yieldToEventLoop })
    doneAt = performance.now()
    expect(r).toBe(modPow(3n, exp, KNOWN_DH_PRIME))
    expect(ranAt).toBeLessThan(doneAt)
  })
})

describe('async variants give the sync results (seeded)', () => {
  it.each([8, 32, 128, 256])('modPowAsync = modPow, %i-byte operands', async (bytes) => {
    const random = seededRandom(bytes + 1000)
    for (let i = 0; i < 6; i++) {
      const mod = bytesToBigInt(random(bytes)) | 1n | (1n << BigInt(bytes * 8 - 1))
      const base = bytesToBigInt(random(bytes + 3))
      const exp = bytesToBigInt(random(i % 2 === 0 ? bytes : 1 + i))
      const opts = counting(0)
      expect(await modPowAsync(base, exp, mod, opts)).toBe(modPow(base, exp, mod))
      if (bytes === 256 && i % 2 === 0) expect(opts.yields()).toBeGreaterThan(300)
    }
  })

  it('modPowAsync rejects bad input with the same codes', async () => {
    await expect(modPowAsync(2n, 3n, 0n)).rejects.toMatchObject({ code: 'BAD_MODULUS' })
    await expect(modPowAsync(2n, -1n, 7n)).rejects.toMatchObject({ code: 'NEGATIVE_EXPONENT' })
  })

  it('dhGenerateAsync / dhSharedAsync = dhGenerate / dhShared', async () => {
    for (let seed = 1; seed <= 3; seed++) {
      const sync = dhGenerate(3, PRIME, seededRandom(seed))
      const opts = counting(0)
      const async = await dhGenerateAsync(3, PRIME, seededRandom(seed), opts)
      expect(async).toEqual(sync)
      expect(opts.yields()).toBeGreaterThan(300)
      const peer = dhGenerate(3, PRIME, seededRandom(seed + 100))
      expect(await dhSharedAsync(peer.gB, async.b, PRIME, counting(0))).toEqual(dhShared(peer.gB, sync.b, PRIME))
    }
  })

  it('dhSharedAsync keeps the range check; dhGenerateAsync the redraw limit', async () => {
    const b = seededRandom(1)(256)
    await expect(dhSharedAsync(bigIntToBytes(1n, 256), b, PRIME)).rejects.toMatchObject({ code: 'G_A_OUT_OF_RANGE' })
    await expect(dhGenerateAsync(3, PRIME, (n) => new Uint8Array(n), counting(1000))).rejects.toMatchObject({ code: 'G_B_OUT_OF_RANGE' })
  })

  it('factorizePqAsync = factorizePq on 20 seeded semiprimes, and yields', async () => {
    const random = seededRandom(31)
    let yields = 0
    for (let i = 0; i < 20; i++) {
      const [a, b] = [prime31(random), prime31(random)]
      const pq = bigIntToBytes(a * b)
      const opts = counting(0)
      expect(await factorizePqAsync(pq, opts)).toEqual(factorizePq(pq))
      yields += opts.yields()
    }
    expect(yields).toBeGreaterThan(20)
    await expect(factorizePqAsync(bigIntToBytes(1780931429n))).rejects.toMatchObject({ code: 'PQ_NOT_FACTORABLE' })
  })
})

function prime31(random: (n: number) => Uint8Array): bigint {
  let p = (bytesToBigInt(random(4)) & 0x3fffffffn) | 0x40000001n
  while (!isPrime64(p)) p += 2n
  return p
}
