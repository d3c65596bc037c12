/**
 * How the runtime treats an rpc_error answering an ordinary call
 * (pfs-and-errors.md §3 auth and connection errors, §4 code families).
 */

export type RpcErrorDecision =
  /** 401 AUTH_KEY_PERM_EMPTY: the temp key is not bound; make and bind a new one, resend. */
  | { action: 'rebind-and-resend' }
  /** CONNECTION_NOT_INITED / CONNECTION_LAYER_INVALID: resend wrapped in invokeWithLayer(initConnection). */
  | { action: 'resend-with-init' }
  /** Another 401: the authorization is gone; the embedder decides (login flow, re-import). */
  | { action: 'unauthorized'; reason: string }
  /** 406 AUTH_KEY_DUPLICATED: the session is invalid; new perm key and login. */
  | { action: 'new-perm-key' }
  | { action: 'flood-wait'; seconds: number }
  | { action: 'migrate'; dc: number; kind: 'FILE' | 'PHONE' | 'NETWORK' | 'USER' }
  /** 500, -503, and codes api/errors says to read as 500 (0, out of range, or outside the known families). */
  | { action: 'retry-later' }
  /** Everything else is the call's answer. */
  | { action: 'deliver' }

const FLOOD = /^FLOOD(?:_PREMIUM)?_WAIT_(\d+)$/
const MIGRATE = /^(FILE|PHONE|NETWORK|USER)_MIGRATE_(\d+)$/
const KNOWN_CODES: ReadonlySet<number> = new Set([303, 400, 401, 403, 404, 406, 420])

export function onRpcError(code: number, message: string): RpcErrorDecision {
  if (!KNOWN_CODES.has(code)) return { action: 'retry-later' }
  if (message === 'AUTH_KEY_PERM_EMPTY') return { action: 'rebind-and-resend' }
  if (message === 'CONNECTION_NOT_INITED' || message === 'CONNECTION_LAYER_INVALID') return { action: 'resend-with-init' }
  if (message === 'AUTH_KEY_DUPLICATED') return { action: 'new-perm-key' }
  if (code === 401) return { action: 'unauthorized', reason: message }
  const flood = code === 420 ? FLOOD.exec(message) : null
  if (flood !== null) return { action: 'flood-wait', seconds: Number(flood[1]) }
  const migrate = code === 303 ? MIGRATE.exec(message) : null
  if (migrate !== null) return { action: 'migrate', dc: Number(migrate[2]), kind: migrate[1] as 'FILE' | 'PHONE' | 'NETWORK' | 'USER' }
  return { action: 'deliver' }
}
