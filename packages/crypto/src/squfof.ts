import type { Steps } from './cooperative.ts'

/**
 * Shanks' square forms factorisation (SQUFOF) of an odd composite n < 2^64 that is not
 * a square, with multiplier k: a divisor 1 < d < n, or undefined when this k fails (the
 * square form it met was trivial, or the cycle ran past its bound; try the next k).
 *
 * Why doubles: every p and q of the continued-fraction cycle of sqrt(kn) is below
 * 2·sqrt(kn) < 2^40 for k < 2^11 (we use k < 100), every product the loop forms equals a sum of two such
 * values (b·q = p0 + p − r, b·(p − p') = q' − q''), and floor(a / b) of integers below
 * 2^53 is exact. So only kn, its root and one kn − p² at the turn need BigInt. A
 * handshake's pq takes ~10^5 steps on average (2,000 server pq: 67k forward and 34k
 * reverse, over the multipliers tried) at ~17 ns each in Node, where a step of
 * Pollard–Brent on BigInt costs two 64-bit multiply-mods.
 */
export function* squfof(n: bigint, k: number): Steps<bigint | undefined> {
  const kn = BigInt(k) * n
  const root = isqrt(kn)
  const p0 = Number(root)
  // Wikipedia's bound, 3 · 2·sqrt(2·sqrt(n)) steps: a real pq needs far fewer; it caps
  // what a hostile n costs per multiplier.
  const limit = 6 * Math.sqrt(2 * Math.sqrt(Number(n)))
  const state = [p0, Number(kn - root * root), 1]
  let r = 0
  // Forward, to a proper square q at an even index.
  for (let done = 0; state[1] && !(r = forward(p0, state)); done += CHUNK) {
    if (done > limit) return undefined
    yield
  }
  if (!r) return undefined
  // Reverse, from that square's root form to the symmetry point, where p repeats.
  const p = (state[0] as number) + Math.floor((p0 - (state[0] as number)) / r) * r
  state.splice(0, 3, p, Number((kn - BigInt(p) * BigInt(p)) / BigInt(r)), r)
  for (let done = 0; !reverse(p0, state); done += CHUNK) {
    if (done > limit) return undefined
    yield
  }
  const d = gcd(n, BigInt(state[2] as number))
  return d === 1n || d === n ? undefined : d
}

// Steps between pauses. Any size keeps the forward parity: each turn there takes two steps.
const CHUNK = 4096

/*
 * The two cycles below are plain functions, not the generator: V8 runs these loops ~3×
 * faster outside a generator's frame. Each works on state [p, q, qPrev] for up to CHUNK
 * steps of the continued fraction of sqrt(kn).
 */

/**
 * Forward: stops at a square q after an odd number of steps (an even index in Shanks'
 * numbering) and returns its root; 0 when the chunk ran out. Two steps per turn, so the
 * parity needs no test; q < 2^40, so Math.sqrt is exact for a square and never an
 * integer otherwise (a non-square's root is at least 2^-21 from one). Together these
 * took a server pq's mean factorisation in Node from 2.4 to 1.75 ms (issue #17).
 */
function forward(p0: number, state: number[]): number {
  let [p, q, qPrev] = state as [number, number, number]
  let found = 0
  for (let i = 0; i < CHUNK && !found; i += 2) {
    let b = Math.floor((p0 + p) / q)
    let pNext = b * q - p
    let qNext = qPrev + b * (p - pNext)
    qPrev = q
    q = qNext
    p = pNext
    const r = Math.sqrt(q)
    if ((r | 0) === r) found = r
    else {
      b = Math.floor((p0 + p) / q)
      pNext = b * q - p
      qNext = qPrev + b * (p - pNext)
      qPrev = q
      q = qNext
      p = pNext
    }
  }
  state.splice(0, 3, p, q, qPrev)
  return found
}

/** Reverse: stops where p repeats and returns true; false when the chunk ran out. */
function reverse(p0: number, state: number[]): boolean {
  let [p, q, qPrev] = state as [number, number, number]
  for (let i = 0; i < CHUNK; i++) {
    const b = Math.floor((p0 + p) / q)
    const pNext = b * q - p
    const qNext = qPrev + b * (p - pNext)
    qPrev = q
    q = qNext
    if (pNext === p) {
      state.splice(0, 3, p, q, qPrev)
      return true
    }
    p = pNext
  }
  state.splice(0, 3, p, q, qPrev)
  return false
}

/** floor(sqrt(x)) for 0 ≤ x < 2^80: the double's root is within 1 of it, then corrected. */
export function isqrt(x: bigint): bigint {
  let r = BigInt(Math.floor(Math.sqrt(Number(x))))
  while (r * r > x) r--
  while ((r + 1n) * (r + 1n) <= x) r++
  return r
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}
