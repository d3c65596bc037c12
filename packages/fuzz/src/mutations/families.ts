/** Every family, and the draw of one by weight. */
import type { Prng } from '../prng.ts'
import type { Family } from './case-spec.ts'
import { clock } from './clock.ts'
import { length, msgId, packet, session, tlBytes } from './envelope.ts'
import { bind, handshake } from './keys.ts'
import { container, rpcResult, service } from './messages.ts'
import { framing, stream } from './transport.ts'

/**
 * The short run's shares (`npm test`): the handshake-heavy families (each case makes one to
 * three DH key exchanges, ~40 ms of modular exponentiation apiece) at about a quarter of
 * their share, so 5,000 cases stay within a minute; long runs keep every share whole.
 */
export const SHORT_RUN_WEIGHTS: Readonly<Record<string, number>> = { handshake: 1, bind: 1, clock: 1 }

export const FAMILIES: readonly Family[] = [rpcResult, service, container, msgId, session, length, tlBytes, packet, framing, stream, clock, handshake, bind]

/** `weights` overrides the families' own shares (by name). */
export function drawFamily(rng: Prng, only: readonly string[] | null, weights: Readonly<Record<string, number>> = {}): Family {
  const pool = only === null ? FAMILIES : FAMILIES.filter((f) => only.includes(f.name))
  if (pool.length === 0) throw new RangeError(`no family named ${only?.join(', ')}`)
  const weight = (f: Family): number => weights[f.name] ?? f.weight
  let x = rng.float() * pool.reduce((a, f) => a + weight(f), 0)
  for (const f of pool) if ((x -= weight(f)) < 0) return f
  return pool[pool.length - 1] as Family
}
