/**
 * Is the perm key still alive (pfs-and-errors.md §2, api/pfs)? ENCRYPTED_MESSAGE_INVALID on
 * auth.bindTempAuthKey says the server could not decrypt the bind's inner message with the
 * perm key: the perm key is gone, or something about this one bind went wrong. Dropping the
 * perm key logs the user out, so one failure is never enough.
 *
 * TDLib settles it with help.getNearestDc sent under the perm key. This client never sends
 * an API message under a perm key, so its evidence is the bind itself, repeated on a fresh
 * temp key: one temp key's failure is a strike ("alive": make another key, bind again), the
 * same failure on a second, different temp key with no good bind in between is the verdict
 * "dead". A good bind wipes the evidence.
 */

export interface PermEvidence {
  /** Temp keys whose bind failed with ENCRYPTED_MESSAGE_INVALID since the last good bind. */
  readonly struckKeys: readonly string[]
}

export const NO_EVIDENCE: PermEvidence = { struckKeys: [] }

export type PermVerdict = 'alive' | 'dead'

/** Another ENCRYPTED_MESSAGE_INVALID, on temp key `keyId`: the evidence grows, the verdict follows. */
export function strike(evidence: PermEvidence, keyId: string): { evidence: PermEvidence; verdict: PermVerdict } {
  const struckKeys = evidence.struckKeys.includes(keyId) ? evidence.struckKeys : [...evidence.struckKeys, keyId]
  return { evidence: { struckKeys }, verdict: struckKeys.length >= 2 ? 'dead' : 'alive' }
}

/**
 * The perm key's age as bind-errors should weigh it. A fresh perm key earns bind retries
 * (the server may not have stored it yet, api/pfs); once a strike is on record that grace
 * is spent, and the age counts as unknown so the next failure goes straight to a verdict.
 */
export function weighedAgeS(evidence: PermEvidence, permKeyAgeS: number | null): number | null {
  return evidence.struckKeys.length > 0 ? null : permKeyAgeS
}
