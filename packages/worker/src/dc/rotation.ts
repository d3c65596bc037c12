/**
 * Make-before-break temp key rotation (pfs-and-errors.md §1.7, issue #6): the next temp
 * key is made and bound on its own connection before the current one expires; new calls
 * move to it at once, in-flight calls finish on the old key, which is then zeroed and
 * dropped by the key store.
 */
import { EngineError } from '../errors.ts'
import { bindWithPolicy } from './bind-flow.ts'
import type { DcRuntime } from './dc-runtime.ts'
import { Lane } from './lane.ts'

/** After a failed rotation attempt, try again this much later (the old key is still valid). */
const ROTATION_RETRY_MS = 30_000

export function scheduleRotation(dc: DcRuntime, lane: Lane): void {
  const expiresAt = lane.key.expiresAt
  if (expiresAt === null) return
  const at = expiresAt - dc.options.rotationMarginS
  dc.later('rotation', Math.max(0, (at - dc.serverNowS()) * 1000), () => void rotate(dc).catch((err: unknown) => dc.setError(err)))
}

/** Server unixtime the next planned rotation starts, or null with no bound key. */
export function nextRotationAt(dc: DcRuntime): number | null {
  const exp = dc.lane?.bound ? dc.lane.key.expiresAt : null
  return exp === null || exp === undefined ? null : exp - dc.options.rotationMarginS
}

export async function rotate(dc: DcRuntime): Promise<void> {
  await dc.connect()
  if (dc.nextLane || !dc.lane) return
  const temp = await dc.makeTemp('temp-handshake')
  const next = new Lane(dc.env, dc.keys, temp.key, dc.url, dc.options.wireDcId(dc.dcId), 'next-temp', dc, temp.salt)
  dc.nextLane = next
  dc.hooks.changed()
  try {
    await next.open()
    await bindWithPolicy(dc, next, 'next')
  } catch (err) {
    dc.dropLane(next, err instanceof Error ? err : new EngineError('ROTATION_FAILED', String(err)))
    const current = dc.lane
    if (current) dc.later('rotation', ROTATION_RETRY_MS, () => void rotate(dc).catch((e: unknown) => dc.setError(e)))
    throw err
  }
  const old = dc.lane
  dc.nextLane = null
  dc.lane = next
  dc.phase = 'bound'
  dc.counters.rotations++
  dc.hooks.keyEvent(dc.event('rotated', next.key, old ? `replaces ${old.key.idHex}` : undefined))
  dc.setStatus('ready')
  dc.calls.flush()
  if (old) {
    old.retiring = true
    dc.retiring.add(old)
    if (dc.calls.inFlightOn(old.key.idHex) === 0) retire(dc, old)
  }
}

/** Zeroes and drops a replaced key once its last in-flight call has left. */
export function retire(dc: DcRuntime, lane: Lane): void {
  if (!dc.retiring.has(lane)) return
  dc.dropLane(lane, new EngineError('KEY_RETIRED', 'temp key retired'))
}
