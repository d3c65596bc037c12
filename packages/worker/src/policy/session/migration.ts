/**
 * DC migration (api/datacenter; api/errors 303 SEE_OTHER, pfs-and-errors.md §4): where a
 * call goes after a 303, and when the user's authorization is copied to another DC.
 *
 * - PHONE_MIGRATE_X, NETWORK_MIGRATE_X, USER_MIGRATE_X on a call to the home DC: the user
 *   lives on DC X, so X becomes home and the call is sent there. The same errors from a DC
 *   that is not home only route that call (mtcute does so too: a DC the caller picked
 *   cannot move home).
 * - FILE_MIGRATE_X: this call, on the same pool, goes to DC X; the file's location is
 *   remembered so its next parts go to X first. (STATS_MIGRATE_X, for channel statistics,
 *   is left to the embedder: this engine never sends stats.* on its own.)
 * - At most MAX_HOPS resends per call, so two DCs pointing at each other end; a DC with no
 *   address fails the call with UNKNOWN_DC.
 */
export const MAX_HOPS = 3
/** Locations remembered for FILE_MIGRATE; the oldest is forgotten first. */
export const MAX_LOCATIONS = 64

const SEE_OTHER = /^(PHONE|NETWORK|USER|FILE)_MIGRATE_(\d+)$/

/**
 * Where a failed call goes next: `dc` (`home`: it becomes the home DC; `remember`: the
 * file's location is remembered there), a typed failure code, or null when the failure is
 * no migration and is the call's answer.
 *
 * `code`/`message`: the failure's (an rpc_error's error_code and error_message, or another
 * PfsError's code); `onHome`: the call went
 * to the home DC; `hops`: resends so far.
 */
export type Hop = { dc: number; home: boolean; remember: boolean } | 'UNKNOWN_DC' | 'MIGRATE_LIMIT' | null

export function onCallFailure(code: number | string, message: string, onHome: boolean, hops: number, knownDc: (dc: number) => boolean): Hop {
  const see = code === 303 ? SEE_OTHER.exec(message) : null
  if (see === null) return null
  if (hops >= MAX_HOPS) return 'MIGRATE_LIMIT'
  const dc = Number(see[2])
  if (!knownDc(dc)) return 'UNKNOWN_DC'
  const file = see[1] === 'FILE'
  return { dc, home: !file && onHome, remember: file }
}

/**
 * Whether a user call to the DC of perm key `permKeyId` must first export from home and
 * import there (api/datacenter): `settledFor` is the perm key of that DC the engine last
 * settled it for (imported, or found nobody signed in on home), undefined when never. So
 * once per perm key of the DC, and again when that perm key is replaced.
 */
export function needsImport(settledFor: string | undefined, permKeyId: string): boolean {
  return settledFor !== permKeyId
}

/**
 * Whether what the engine settled on other DCs is forgotten after an answer: a sign-in on
 * home (any auth.authorization, from auth.signIn to auth.importBotAuthorization) may be
 * another user or the first one. (A new home DC forgets them too: it holds its own.)
 */
export function forgetsImports(answer: string, onHome: boolean): boolean {
  return onHome && answer === 'auth.authorization'
}

/**
 * Calls that never carry the user's authorization, so no import runs before them: help.*
 * (config, nearest DC) and auth.* (the import itself, sign-in flows, logout).
 */
export function needsUser(method: string): boolean {
  return !/^(help|auth)\./.test(method)
}

/** upload.getFile#be5335be flags:# location:InputFileLocation offset:long limit:int */
const GET_FILE_TAIL = 12
/** Longer locations are not remembered: a key stays small (real ones are under 200 bytes). */
const MAX_LOCATION_BYTES = 1024

/** The InputFileLocation bytes of an upload.getFile request, as a map key. */
export function fileLocationKey(getFile: Uint8Array): string | null {
  const size = getFile.length - 8 - GET_FILE_TAIL
  if (size <= 0 || size > MAX_LOCATION_BYTES) return null
  return String.fromCharCode(...getFile.subarray(8, getFile.length - GET_FILE_TAIL))
}

/** Remembers `key` → `dc`, newest last, keeping at most MAX_LOCATIONS. */
export function rememberLocation(map: Map<string | null, number>, key: string, dc: number): void {
  map.delete(key)
  map.set(key, dc)
  if (map.size > MAX_LOCATIONS) map.delete(map.keys().next().value as string | null)
}
