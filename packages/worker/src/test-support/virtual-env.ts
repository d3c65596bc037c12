/** A virtual-time env for the DH pool's tests (Node and browser). Test-only. */
import type { PermKeyStorage } from '../env.ts'

/** A virtual-time env: timers fire only when the test says, and every random buffer is kept. */
export function fakeEnv(storage?: PermKeyStorage) {
  let now = 0
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  const drawn: Uint8Array[] = []
  let seed = 1
  let fired = 0
  const random = (n: number): Uint8Array => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24
    drawn.push(out)
    return out
  }
  return {
    drawn,
    pending: () => timers.size,
    /** Timers fired so far: the idle delay, then one per pause of the maths. */
    fired: () => fired,
    env: {
      clock: { now: () => now, wallNow: () => 1_700_000_000_000 + now },
      random,
      ...(storage ? { permKeys: storage } : {}),
      setTimer(ms: number, fn: () => void) {
        const id = ++seq
        timers.set(id, { at: now + ms, fn })
        return () => void timers.delete(id)
      },
    },
    /** Fires due timers in time order (and those they set) until none is left; lets the maths finish. */
    async runAll(): Promise<void> {
      for (;;) {
        await new Promise((r) => setTimeout(r, 0))
        const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0]
        if (!next) return
        timers.delete(next[0])
        now = Math.max(now, next[1].at)
        fired++
        next[1].fn()
      }
    },
  }
}
