/** Randomness arrives as `rand(): number` in [0, 1); these turn it into delays and picks. */

export function drawUnit(rand: () => number): number {
  const r = rand()
  if (!(r >= 0 && r < 1)) throw new RangeError(`rand() must return a number in [0, 1), got ${r}`)
  return r
}

/**
 * Exponential backoff for the `attempt`-th failure (1-based) with "equal jitter":
 * half the ceiling fixed so the delay still grows, half random so clients spread out.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, rand: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1))
  return ceiling / 2 + (ceiling / 2) * drawUnit(rand)
}
