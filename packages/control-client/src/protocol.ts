/**
 * What the conformance server's control port speaks, as JSON: the one definition the
 * server answers with and every client (Node tests, the demo page, the browser suites,
 * e2e) reads. Key ids are decimal TL longs (auth_key_id as a signed int64).
 */

/** GET /info */
export interface ServerInfo {
  host: string
  tcpPort: number
  wsPort: number
  controlPort: number
  wsUrl: string
  /** Decimal TL long. */
  fingerprint: string
  /** The 8 fingerprint bytes as sent on the wire, hex. */
  fingerprintHex: string
  rsaPublicKeyPem: string
}

/** Where a `drop-connection` fault cuts the connection: before answering this request. */
export const DROP_POINTS = ['req_pq_multi', 'req_DH_params', 'set_client_DH_params', 'bind'] as const
export type DropPoint = (typeof DROP_POINTS)[number]

/**
 * pfs-and-errors.md §1.6: the docs say a new bind overwrites the previous one ('replace');
 * Telegram in practice keeps every bound temp key of a perm key until it expires or
 * auth.dropTempAuthKeys drops it ('many', the default, which TDLib's several sessions rely on).
 */
export type BindingMode = 'many' | 'replace'

/** One fault, as POST /faults takes it (a single object or an array). */
export type FaultAction =
  | { type: 'forget-temp-key'; keyId?: string; afterSeconds?: number }
  | { type: 'forget-perm-key'; keyId?: string }
  | { type: 'unbind-temp-key'; keyId?: string }
  | { type: 'bind-error'; error: string; code?: number; count?: number }
  /** Answer the next `count` (default 1) calls of `method` with 420 FLOOD_WAIT_`seconds` (FLOOD_PREMIUM_WAIT_ with `premium`). */
  | { type: 'flood-wait'; method: string; seconds: number; premium?: boolean; count?: number }
  | { type: 'drop-connection'; after: DropPoint }
  | { type: 'delay-handshake'; ms: number }
  | { type: 'latency'; ms: number }
  | { type: 'clock-offset'; seconds: number }
  /** Change the current server salt of a key (no keyId = every key) now, or after N seconds. */
  | { type: 'salt'; keyId?: string; afterSeconds?: number }
  | { type: 'storm-404'; seconds: number }
  | { type: 'flood-429'; seconds: number }
  | { type: 'dh-gen'; answer: 'retry' | 'fail' }
  | { type: 'push-updates'; everySeconds: number }
  /** Push updatesTooLong once to every live session on a bound temp key: the client should fetch the difference. */
  | { type: 'updates-too-long' }
  | { type: 'binding-mode'; mode: BindingMode }
  /**
   * Answer `method` with 303 `${error}_${dc}` (api/errors SEE_OTHER) when it arrives on a DC
   * other than `dc`: from the `nth` such call on (default 1), `count` times (default every time).
   */
  | { type: 'migrate'; method: string; error: MigrateError; dc: number; nth?: number; count?: number }
  /** Sign in `userId` (default 1000, decimal) on every perm key of DC `dc` the server holds now. */
  | { type: 'sign-in'; dc: number; userId?: string }
  /** On: AUTHORIZED_METHODS on a perm key with no user answer 401 AUTH_KEY_UNREGISTERED. */
  | { type: 'require-authorization'; on: boolean }
  | { type: 'restart' }
  | { type: 'clear' }

export const MIGRATE_ERRORS = ['PHONE_MIGRATE', 'NETWORK_MIGRATE', 'USER_MIGRATE', 'FILE_MIGRATE', 'STATS_MIGRATE'] as const
export type MigrateError = (typeof MIGRATE_ERRORS)[number]

/**
 * The calls that need a signed-in user once `require-authorization` is on (the rest, the
 * handshake, bind, help.* and auth.* included, never do): so the default server keeps
 * serving clients that never sign in, GramJS and mtcute among them.
 */
export const AUTHORIZED_METHODS = ['updates.getState', 'upload.getFile', 'upload.saveFilePart', 'upload.saveBigFilePart'] as const

/** A `migrate` fault in force, with how many calls it has let pass and answered. */
export interface MigrateRule {
  method: string
  error: MigrateError
  dc: number
  /** Matching calls still to let through before answering. */
  skip: number
  /** Answers still to give; null: no limit. */
  left: number | null
  answered: number
}

/** GET /faults, and the answer to POST /faults: the fault settings in force. */
export interface FaultState {
  clockOffsetSeconds: number
  handshakeDelayMs: number
  /** Every packet is handled this long after it arrived. */
  latencyMs: number
  storm404Until: number | null
  flood429Until: number | null
  pendingBindErrors: { error: string; code: number }[]
  pendingDrops: DropPoint[]
  pendingDhGen: ('retry' | 'fail')[]
  /** 420 errors waiting for the next call of their method. */
  pendingFloodWaits: { method: string; error: string }[]
  pushEverySeconds: number
  bindingMode: BindingMode
  migrations: MigrateRule[]
  authorizationRequired: boolean
}

/**
 * The four P_Q_inner_data constructors a client may send in req_DH_params (auth-key.md
 * step 5.6; mtproto-tl.md §1). The `_dc` forms are today's; `p_q_inner_data#83c95aec` and
 * `p_q_inner_data_temp#3c6a84d4` are the legacy ones the PFS page still names ("using
 * p_q_inner_data" / "p_q_inner_data_temp"), which GramJS 2.26 sends and Telegram accepts.
 */
export type InnerForm = 'p_q_inner_data_dc' | 'p_q_inner_data_temp_dc' | 'p_q_inner_data' | 'p_q_inner_data_temp'

/** One key the server holds, as GET /stats lists it. */
export interface KeyView {
  id: string
  kind: 'perm' | 'temp'
  dc: number
  /** The P_Q_inner_data constructor the key was made with (legacy forms carry no dc). */
  form: InnerForm
  test: boolean
  media: boolean
  createdAt: number
  /** Temp keys only. */
  expiresAt: number | null
  boundTo: string | null
  inited: boolean
  layer: number | null
  messages: number
  apiCalls: number
}

/** GET /stats */
export interface ServerStats {
  /** perm/temp by dc, forms by P_Q_inner_data constructor, failed by check. */
  handshakes: {
    perm: Record<string, number>
    temp: Record<string, number>
    forms: Partial<Record<InnerForm, number>>
    failed: Record<string, number>
  }
  binds: { ok: number; failed: Record<string, number>; failedReasons: Record<string, number> }
  transportErrors: Record<string, number>
  badMsgNotifications: Record<string, number>
  violations: { count: number; recent: { keyId: string; method: string; at: number }[] }
  /** Packets under a temp key after its expires_at (answered -404): a client that used a key past its life. */
  expiredKeyPackets: number
  apiCalls: Record<string, number>
  /**
   * Encrypted packets by how many API calls they carried ("32": packets with 32 calls in
   * their container): how well a client batches (issue #17). Packets with no call are not counted.
   */
  apiCallsPerPacket: Record<string, number>
  connections: { open: number; total: number; closedForBadInput: Record<string, number> }
  keys: KeyView[]
}

/** GET /keys/temp/:id, served only when the server runs with exposeKeyBytes. */
export interface TempKeyBytes {
  id: string
  hex: string
}

/** The body of every refusal: `error` is the ControlError code the server threw. */
export interface ControlRefusal {
  error: string
  message?: string
}
