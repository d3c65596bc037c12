/**
 * The server's clock moves for the case (encryption.md §5–6, issue #18): the engine must
 * resync from bad_msg 16/17 or a handshake, or refuse a move that is not plausible, and
 * answer again once the clock is back.
 */
import type { Family } from './case-spec.ts'

const SKEWS = [31, 301, 600, 3_600, -3_600, 86_400, -86_400, 4 * 86_400, -4 * 86_400, 400 * 86_400] as const

export const clock: Family = {
  name: 'clock',
  weight: 4,
  make(rng) {
    const skewS = rng.pick(SKEWS)
    return { family: this.name, what: `server clock ${skewS > 0 ? '+' : ''}${skewS} s`, action: 'calls', skewS, hooks: {} }
  },
}
