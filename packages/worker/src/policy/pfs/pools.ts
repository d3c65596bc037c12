/**
 * A DC's connection pools (issue #15; TDLib keeps main plus upload and download sessions,
 * each with its own temp key bound to the one perm key). The caller names the pool; this
 * picks the member. Members start on first use, so an engine that never uploads makes no
 * handshake for it: an idle member takes the call, else a new one while the pool is not
 * full, else the least loaded.
 */
export function pickMember(pending: readonly number[], size: number): number {
  const idle = pending.indexOf(0)
  if (idle >= 0) return idle
  if (pending.length < size) return pending.length
  let best = 0
  for (let i = 1; i < pending.length; i++) if (pending[i]! < pending[best]!) best = i
  return best
}
