/**
 * The worker/client boundary. Everything here is plain structured-clone data: no key
 * bytes, no CryptoKey, no class instances. Key material never leaves the worker; the
 * page sees key *ids* (hex of auth_key_id) and times only.
 */

export interface DcAddress {
  id: number
  /** e.g. `ws://127.0.0.1:9444/apiws` */
  url: string
  /**
   * A media-only endpoint of DC `id` (dc_options media_only): the `media` pool connects
   * here, its temp keys carry -id in p_q_inner_data_temp_dc, bound to DC `id`'s perm key.
   */
  media?: boolean
}

/**
 * The connections of one DC, each with its own temp key bound to the DC's perm key:
 * `main` carries calls and updates; `upload`/`download` (WorkerOptions.pools of each) and
 * `media` (a DcAddress marked media) start on their first call.
 */
export type PoolName = 'main' | 'upload' | 'download' | 'media'

export interface AppInfo {
  apiId: number
  deviceModel: string
  systemVersion: string
  appVersion: string
  systemLangCode: string
  langPack: string
  langCode: string
}

export interface WorkerOptions {
  dcs: DcAddress[]
  defaultDcId: number
  /** PKCS#1 or SPKI PEM public keys the handshake may use (picked by fingerprint). */
  rsaPublicKeys: string[]
  app: AppInfo
  /** API layer for invokeWithLayer. */
  layer: number
  /** Temp key lifetime bounds in seconds; each key draws uniformly inside (default 82800–86400). */
  tempKeyLifetimeS?: readonly [number, number]
  /** Start making the next temp key this many seconds before the current one expires. */
  rotationMarginS?: number
  /** Per-call deadline when the caller gives none (ms). */
  defaultTimeoutMs?: number
  /**
   * A connection that owes answers and has received nothing for this long is reopened and
   * its unanswered calls resent; a ping goes out at a third of it (default 15000 ms).
   */
  stallTimeoutMs?: number
  /** IndexedDB database holding the perm keys (one per DC). */
  storageName?: string
  /** Test DCs: `dc` in p_q_inner_data is id + 10000. */
  testMode?: boolean
  /**
   * false: the worker never compiles WebAssembly and runs the JS AES and SHA-256 paths (same
   * results, slower). For a worker script served under a CSP without 'wasm-unsafe-eval',
   * where every attempt would be refused and reported. Default true.
   */
  webAssembly?: boolean
  /** Connections per DC in the upload and download pools (default 2 each, 1–8). */
  pools?: { upload?: number; download?: number }
  /**
   * FLOOD_WAIT_X up to this many seconds is waited out and the call sent again (within its
   * deadline); above it the call rejects with FloodWaitError (default 60).
   */
  floodWaitMaxS?: number
}

export type ConnectionStatus =
  | 'idle'
  | 'connecting'
  | 'handshaking'
  | 'binding'
  | 'ready'
  | 'backoff'
  | 'logged-out'
  | 'closed'

export interface ErrorView {
  name: string
  code: string | number
  message: string
}

export interface Last404View {
  /** Server unixtime when it was seen. */
  at: number
  /** Classified cause (policy/pfs/recovery.ts LOSS_CAUSE): 'temp-key-forgotten', 'replaced-by-bind', 'retiring-key-forgotten', 'during-bind', 'stale-key'. */
  cause: string
}

export interface DcStateView {
  dcId: number
  /** The pool connection this view is of, e.g. 'upload-1'; absent for the DC's main connection. */
  connection?: string
  status: ConnectionStatus
  /** Why the DC waits, when status is 'backoff'. */
  waitReason: string | null
  permKeyId: string | null
  tempKeyId: string | null
  nextTempKeyId: string | null
  bound: boolean
  /** Current temp key expiry, server unixtime. */
  expiresAt: number | null
  /** When the next planned rotation starts, server unixtime. */
  nextRotationAt: number | null
  /** serverTime - localTime, seconds. */
  serverTimeOffset: number
  handshakes: { perm: number; temp: number }
  binds: number
  rotations: number
  rebinds: number
  last404: Last404View | null
  stormBackoffUntil: number | null
  lastError: ErrorView | null
  /** Calls on this connection not yet settled (queued, or sent and unanswered); an aborted call leaves at once. */
  pendingCalls: number
}

export interface InvokeOptions {
  dcId?: number
  /** Which of the DC's connections carries the call (default 'main'). */
  pool?: PoolName
  /** Lets the page cancel through `cancel(callId)`: AbortSignal cannot cross postMessage. */
  callId?: string
  timeoutMs?: number
}

/**
 * What the page or the worker saw (policy/session/lifecycle): 'online'/'offline' come from the
 * worker's own scope, 'hidden'/'visible' (visibilitychange), 'freeze'/'resume' (Page
 * Lifecycle) from the page through the client; 'reconnect' is client.reconnect().
 */
import type { LifecycleKind } from './policy/session/lifecycle.ts'

export type { LifecycleKind }

/**
 * 'handshake-started': a temp key handshake began; `detail` says why ('planned' or 'failure').
 * 'flood-wait': a call under the key got FLOOD_WAIT_X (`seconds`); `detail` is the method,
 * with ': above-cap' etc. when the caller gets the error instead. 'reconnect': the key's
 * connection dropped and is reopened; `detail` is the error code.
 * 'update-gap' (issue #16): updates may have been lost, so call updates.getDifference; on the
 * DC's main connection only (pools carry no updates), `keyId` the session's temp key,
 * `detail` 'updates-too-long' (the server sent updatesTooLong) or 'new-session' (the server
 * started a new session: new_session_created, after a rotation, a -404 recovery or a restart).
 */
export type KeyEventKind = 'handshake-started' | 'created' | 'bound' | 'rotated' | 'dropped' | 'not-found-404' | 'recovered' | 'logged-out' | 'flood-wait' | 'reconnect' | 'update-gap'

export interface KeyEvent {
  dcId: number
  /** As DcStateView.connection: absent for the main connection. */
  connection?: string
  kind: KeyEventKind
  /** Key id (hex auth_key_id), never the key. */
  keyId: string | null
  keyKind: 'perm' | 'temp'
  /** Server unixtime. */
  at: number
  detail?: string
  /** 'flood-wait': X of FLOOD_WAIT_X. */
  seconds?: number
}

export interface StateListener {
  (states: DcStateView[]): void
}

export interface UpdateListener {
  (dcId: number, update: Uint8Array): void
}

export interface KeyEventListener {
  (event: KeyEvent): void
}

export type Unsubscribe = () => void

export interface NearestDcView {
  country: string
  thisDc: number
  nearestDc: number
}

export interface ConfigView {
  date: number
  expires: number
  thisDc: number
  testMode: boolean
  dcOptions: { id: number; ipAddress: string; port: number }[]
}

/**
 * What the worker exposes over Comlink. Methods only; every return value is plain
 * data. Listeners arrive wrapped in Comlink `proxy()` by the client.
 */
export interface WorkerApi {
  init(options: WorkerOptions): Promise<void>
  connect(dcId?: number): Promise<DcStateView>
  /** Raw boxed TL of any API method; the worker adds the PFS and initConnection wrappers. */
  invoke(request: Uint8Array, options?: InvokeOptions): Promise<Uint8Array>
  cancel(callId: string): Promise<void>
  /** `callId`, on this and the helpers below, lets a host cancel the call as for invoke. */
  getConfig(dcId?: number, callId?: string): Promise<ConfigView>
  getNearestDc(dcId?: number, callId?: string): Promise<NearestDcView>
  /** Goes over the DC's `upload` pool unless `pool` says otherwise. */
  saveFilePart(fileId: bigint, filePart: number, bytes: Uint8Array, dcId?: number, pool?: PoolName, callId?: string): Promise<boolean>
  /** Goes over the DC's `download` pool unless `pool` says otherwise. */
  getFile(fileId: bigint, offset: number, limit: number, dcId?: number, pool?: PoolName, callId?: string): Promise<Uint8Array>
  states(): Promise<DcStateView[]>
  subscribe(listener: StateListener): Promise<Unsubscribe>
  onUpdate(listener: UpdateListener): Promise<Unsubscribe>
  onKeyEvent(listener: KeyEventListener): Promise<Unsubscribe>
  rotateNow(dcId?: number): Promise<void>
  /** A network or page change, or 'reconnect': every started connection is checked or reopened now. */
  lifecycle(kind: LifecycleKind): Promise<void>
  logout(dcId?: number): Promise<void>
  close(): Promise<void>
}
