import { AUTHORIZED_METHODS } from '@pfs-web/control-client'
import { deserializeObject, gzipUnpack, type TlObject } from '@pfs-web/tl'
import type { Faults } from '../faults.ts'
import { verifyBind } from '../pfs/bind.ts'
import type { AuthKey, KeyStore, TempKey } from '../pfs/key-store.ts'
import type { StatsRecorder } from '../stats.ts'
import type { Authorizations } from './authorizations.ts'
import { buildConfig, type DcAddress } from './config.ts'
import { answerFileCall } from './file-calls.ts'
import type { FileStore } from './files.ts'

export interface ApiDeps {
  keys: KeyStore
  files: FileStore
  auth: Authorizations
  random: (n: number) => Uint8Array
  stats: StatsRecorder
  faults: Faults
  strictPfs: boolean
  bindSlackSeconds: number
  dcAddresses: DcAddress[]
  onBound(temp: TempKey, replaced: bigint | null): void
  onDropped(ids: bigint[]): void
}

export interface ApiCall {
  key: AuthKey
  sessionId: bigint
  /** msg_id of the message carrying the call (the bind's inner msg_id must equal it). */
  msgId: bigint
  now: number
}

export type ApiAnswer = { result: TlObject } | { dropConnection: true }

/** Methods an unbound temp key may call (pfs-and-errors.md §1.3). */
const UNBOUND_ALLOWED = new Set(['auth.bindTempAuthKey', 'help.getConfig', 'help.getNearestDc'])
const MAX_WRAPPERS = 8
const NEEDS_USER: ReadonlySet<string> = new Set(AUTHORIZED_METHODS)

const rpcError = (code: number, message: string): ApiAnswer => ({
  result: { _: 'rpc_error', error_code: code, error_message: message },
})

/**
 * One API call: unwraps invokeWithLayer / initConnection / invokeWithoutUpdates /
 * invokeAfterMsg(s) / gzip_packed in any nesting order, applies the PFS gates (perm-key
 * use is a violation in strict mode, unbound temp keys are limited, the first call after a
 * bind must carry initConnection), then answers the method.
 */
export async function handleApiCall(body: TlObject, call: ApiCall, deps: ApiDeps): Promise<ApiAnswer> {
  let query = body
  let layer: number | null = null
  let init = false
  for (let depth = 0; depth < MAX_WRAPPERS; depth++) {
    if (query._ === 'invokeWithLayer') {
      layer = query.layer
      query = query.query
    } else if (query._ === 'initConnection') {
      init = true
      query = query.query
    } else if (query._ === 'invokeWithoutUpdates' || query._ === 'invokeAfterMsg' || query._ === 'invokeAfterMsgs') {
      query = query.query
    } else if (query._ === 'gzip_packed') {
      query = deserializeObject(await gzipUnpack(query.packed_data))
    } else break
  }
  const method = query._ === 'raw' ? `#${(query.id >>> 0).toString(16)}` : query._
  const key = call.key
  deps.stats.apiCall(method)

  if (key.kind === 'perm') {
    if (deps.strictPfs && method !== 'auth.bindTempAuthKey') deps.stats.violation(key.id, method, call.now)
  } else if (key.boundTo === null) {
    if (!UNBOUND_ALLOWED.has(method)) return rpcError(401, 'AUTH_KEY_PERM_EMPTY')
  } else if (method !== 'auth.bindTempAuthKey' && !key.inited) {
    if (!init) return rpcError(400, 'CONNECTION_NOT_INITED')
    key.inited = true
  }
  if (init && key.kind === 'temp') key.layer = layer ?? key.layer
  key.apiCalls++
  const flood = deps.faults.takeFloodWait(method)
  if (flood !== null) return rpcError(420, flood)

  const migrate = deps.faults.takeMigrate(method, key.dc.id)
  if (migrate !== null) return rpcError(303, migrate)
  // api/errors 401: the perm key behind this call has no signed-in user
  const permId = key.kind === 'perm' ? key.id : key.boundTo
  const user = permId === null ? undefined : deps.auth.userOf(permId)
  if (deps.faults.state.authorizationRequired && NEEDS_USER.has(method) && user === undefined) return rpcError(401, 'AUTH_KEY_UNREGISTERED')

  switch (query._) {
    case 'auth.bindTempAuthKey': {
      const forced = deps.faults.takeBindError()
      if (forced !== null) {
        deps.stats.bindFailed(forced.error, 'FAULT')
        return rpcError(forced.code, forced.error)
      }
      const outcome = verifyBind(query, {
        carrying: key,
        sessionId: call.sessionId,
        msgId: call.msgId,
        now: call.now,
        slackSeconds: deps.bindSlackSeconds,
        findPerm: (id) => deps.keys.perm.get(id),
      })
      if (!outcome.ok) {
        deps.stats.bindFailed(outcome.error, outcome.reason)
        return rpcError(400, outcome.error)
      }
      const temp = key as TempKey
      const replaced = deps.keys.bind(temp, outcome.perm.id, outcome.expiresAt, deps.faults.state.bindingMode === 'replace')
      deps.stats.bindOk()
      deps.onBound(temp, replaced)
      if (deps.faults.takeDrop('bind')) return { dropConnection: true }
      return { result: { _: 'boolTrue' } }
    }
    case 'auth.dropTempAuthKeys': {
      const permId = key.kind === 'perm' ? key.id : key.boundTo
      if (permId === null) return rpcError(401, 'AUTH_KEY_PERM_EMPTY')
      const keep = new Set(query.except_auth_keys)
      const dropped = deps.keys.boundTo(permId).filter((t) => !keep.has(t.id) && t.id !== key.id).map((t) => t.id)
      for (const id of dropped) deps.keys.dropTemp(id)
      deps.onDropped(dropped)
      return { result: { _: 'boolTrue' } }
    }
    case 'help.getConfig':
      return { result: buildConfig(call.now, key.dc.id, key.dc.test, deps.dcAddresses) }
    case 'help.getNearestDc':
      return { result: { _: 'nearestDc', country: 'ZZ', this_dc: key.dc.id, nearest_dc: key.dc.id } }
    case 'updates.getState':
      return { result: { _: 'updates.state', pts: 1, qts: 0, date: Math.floor(call.now), seq: 1, unread_count: 0 } }
    case 'upload.saveFilePart':
    case 'upload.saveBigFilePart':
    case 'upload.getFile':
      return { result: answerFileCall(deps.files, query) }
    case 'auth.exportAuthorization': {
      // api/datacenter: a token for another DC we serve, from a signed-in perm key
      if (query.dc_id === key.dc.id || !deps.dcAddresses.some((d) => d.id === query.dc_id)) return rpcError(400, 'DC_ID_INVALID')
      if (user === undefined) return rpcError(401, 'AUTH_KEY_UNREGISTERED')
      const token = deps.auth.export(user, query.dc_id, call.now, deps.random)
      return { result: { _: 'auth.exportedAuthorization', id: token.id, bytes: token.bytes } }
    }
    case 'auth.importAuthorization': {
      const imported = deps.auth.redeem(query.id, query.bytes, key.dc.id, call.now)
      if (imported === null || permId === null) return rpcError(400, 'AUTH_BYTES_INVALID')
      deps.auth.signIn(permId, imported)
      return { result: { _: 'auth.authorization', user: { _: 'userEmpty', id: imported } } }
    }
    case 'auth.logOut':
      if (permId !== null) deps.auth.signOut(permId)
      return { result: { _: 'auth.loggedOut' } }
    default:
      return rpcError(400, 'INPUT_METHOD_INVALID')
  }
}
