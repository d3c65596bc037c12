/**
 * pq factorisation (issue #17): SQUFOF on doubles (ours now) against the Pollard–Brent on
 * BigInt it replaced (kept here, as it was, for the comparison). Both must agree on every
 * pq first. Times each on the same seeded pq (two ~31-bit primes, as a server sends),
 * interleaved, and one 2048-bit modPow of ours (random base) as the anchor measured in
 * the same run. Writes bench/results/factorize.json.
 * Run: ROUNDS=300 npx tsx packages/crypto/bench/factorize.bench.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bigIntToBytes, bytesToBigInt, factorizePq, modPow } from '../src/index.ts'
import { isPrime64 } from '../src/primality.ts'
import { seededRandom } from '../test/seeded-random.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 300)
const random = seededRandom(1717)

function prime31(): bigint {
  let p = (bytesToBigInt(random(4)) & 0x3fffffffn) | 0x40000001n
  while (!isPrime64(p)) p += 2n
  return p
}

/** The factorizer before #17: Brent's cycle search on BigInt, batched gcds (factorize.ts at a6b659a). */
function pollardBrent(pq: Uint8Array): { p: Uint8Array; q: Uint8Array } {
  const n = bytesToBigInt(pq)
  const gcd = (a: bigint, b: bigint): bigint => {
    while (b !== 0n) [a, b] = [b, a % b]
    return a
  }
  const brent = (c: bigint): bigint => {
    let [y, x, ys, q, g] = [2n, 2n, 2n, 1n, 1n]
    for (let r = 1; g === 1n; r *= 2) {
      x = y
      for (let i = 0; i < r; i++) y = (y * y + c) % n
      for (let k = 0; k < r && g === 1n; k += 256) {
        ys = y
        for (let i = 0; i < Math.min(256, r - k); i++) {
          y = (y * y + c) % n
          q = (q * (x - y + n)) % n
        }
        g = gcd(q, n)
      }
    }
    if (g !== n) return g
    do {
      ys = (ys * ys + c) % n
      g = gcd(x - ys + n, n)
    } while (g === 1n)
    return g
  }
  if (n < 4n || isPrime64(n)) throw new Error('not factorable')
  let f = (n & 1n) === 0n ? 2n : n
  for (let c = 1n; f === n && c <= 32n; c++) f = brent(c)
  const [p, q] = f < n / f ? [f, n / f] : [n / f, f]
  if (p === q || !isPrime64(p) || !isPrime64(q)) throw new Error('not factorable')
  return { p: bigIntToBytes(p), q: bigIntToBytes(q) }
}

const pqs = Array.from({ length: ROUNDS }, () => {
  const a = prime31()
  let b = prime31()
  while (b === a) b = prime31()
  return bigIntToBytes(a * b)
})
const mod = bytesToBigInt(random(256)) | 1n | (1n << 2047n)
const anchorInput = () => ({ base: bytesToBigInt(random(256)) % mod, exp: bytesToBigInt(random(256)) })

const contenders: [string, (pq: Uint8Array) => { p: Uint8Array; q: Uint8Array }][] = [
  ['squfof-doubles (now)', factorizePq],
  ['pollard-brent-bigint (before)', pollardBrent],
]
for (const pq of pqs) {
  const [a, b] = contenders.map(([, f]) => f(pq))
  if (String(a?.p) !== String(b?.p) || String(a?.q) !== String(b?.q)) throw new Error('contenders disagree')
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number
const times = contenders.map(() => [] as number[])
const anchor: number[] = []
pqs.forEach((pq, round) => {
  for (let k = 0; k < contenders.length; k++) {
    const idx = (k + round) % contenders.length
    const t = performance.now()
    contenders[idx]?.[1](pq)
    times[idx]?.push(performance.now() - t)
  }
  if (round % 10 === 0) {
    const { base, exp } = anchorInput()
    const t = performance.now()
    modPow(base, exp, mod)
    anchor.push(performance.now() - t)
  }
})
const anchorMs = quantile(anchor, 0.5)
const rows = contenders.map(([name], idx) => {
  const xs = times[idx] ?? []
  const median = quantile(xs, 0.5)
  return {
    name,
    pqs: xs.length,
    medianMs: +median.toFixed(3),
    meanMs: +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3),
    p90Ms: +quantile(xs, 0.9).toFixed(3),
    maxMs: +Math.max(...xs).toFixed(3),
    medianInModPows: +(median / anchorMs).toFixed(3),
  }
})
const [now, before] = rows
const speedup = before && now ? +(before.medianMs / now.medianMs).toFixed(2) : NaN
console.table(rows)
console.log(`anchor: one 2048-bit modPow = ${anchorMs.toFixed(2)} ms (median of ${anchor.length}); median speed-up ${speedup}×`)

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/factorize.json')
mkdirSync(dirname(out), { recursive: true })
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, loadavg1m: loadavg()[0] }
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine, anchorModPowMs: +anchorMs.toFixed(3), medianSpeedup: speedup, rows }, null, 2) + '\n')
