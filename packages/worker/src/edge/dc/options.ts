/** WorkerOptions with defaults applied and checked once, at init(). */
import { InflateBudget } from '@pfs-web/tl/client'
import type { AppInfo, DcAddress, WorkerOptions } from '../../api.ts'
import { EngineError } from '../../errors.ts'
import type { DhPairSource } from '../../handshake/dh-pairs.ts'
import { DEFAULT_TEMP_KEY_CONFIG, tempKeyConfigFor, type TempKeyConfig } from '../../policy/pfs/temp-key-config.ts'
import { stallConfig, type StallConfig } from '../../policy/session/stall-watch.ts'
import { DEFAULT_FLOOD_WAIT_MAX_S } from '../../policy/session/flood-wait.ts'

export interface ResolvedOptions {
  dcs: readonly DcAddress[]
  defaultDcId: number
  app: AppInfo
  layer: number
  /** The temp-key policy's whole timing: lifetimes, renewal and unusable margins, timeouts. */
  tempKeys: TempKeyConfig
  defaultTimeoutMs: number
  stall: StallConfig
  /** `dc` for p_q_inner_data and the obfuscation init: +10000 on test DCs (auth-key.md). */
  wireDcId(dcId: number): number
  /** Inflated gzip_packed bytes the engine's DCs may hold at once, together (issue #18). */
  inflate: InflateBudget
  /** Members of each DC's upload and download pools (WorkerOptions.pools). */
  pools: { upload: number; download: number; media: number; main: number }
  /** policy/session/flood-wait's cap (WorkerOptions.floodWaitMaxS). */
  floodWaitMaxS: number
  /** DH pairs made ahead for the engine's handshakes, all DCs together (issue #17); set by the engine. */
  dhPairs?: DhPairSource
  /** Offline (policy/session/lifecycle), no socket is opened; set by the engine. */
  net?: { readonly online: boolean }
}

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_STALL_MS = 15_000

export function resolveOptions(o: WorkerOptions): ResolvedOptions {
  if (!Array.isArray(o.dcs) || o.dcs.length === 0) throw new EngineError('BAD_OPTIONS', 'dcs: at least one DC is required')
  if (!o.dcs.some((d) => d.id === o.defaultDcId)) throw new EngineError('BAD_OPTIONS', 'defaultDcId: not among dcs')
  if (!Array.isArray(o.rsaPublicKeys) || o.rsaPublicKeys.length === 0) throw new EngineError('BAD_OPTIONS', 'rsaPublicKeys: none given')
  const [lo, hi] = o.tempKeyLifetimeS ?? [DEFAULT_TEMP_KEY_CONFIG.minLifetimeS, DEFAULT_TEMP_KEY_CONFIG.maxLifetimeS]
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo > 0 && hi >= lo)) throw new EngineError('BAD_OPTIONS', 'tempKeyLifetimeS: need 0 < lo <= hi')
  const tempKeys = tempKeyConfigFor([lo, hi], o.rotationMarginS)
  if (!(tempKeys.renewMarginS >= 0 && tempKeys.renewMarginS < lo)) throw new EngineError('BAD_OPTIONS', 'rotationMarginS: must be below the temp key lifetime')
  const stallMs = o.stallTimeoutMs ?? DEFAULT_STALL_MS
  if (!(Number.isFinite(stallMs) && stallMs >= 300)) throw new EngineError('BAD_OPTIONS', 'stallTimeoutMs: at least 300 ms')
  const test = o.testMode === true
  const floodWaitMaxS = o.floodWaitMaxS ?? DEFAULT_FLOOD_WAIT_MAX_S
  if (!(Number.isFinite(floodWaitMaxS) && floodWaitMaxS >= 0)) throw new EngineError('BAD_OPTIONS', 'floodWaitMaxS: a number of seconds >= 0')
  const poolSize = (n: number | undefined, name: string): number => {
    if (n === undefined) return 2
    if (!(Number.isInteger(n) && n >= 1 && n <= 8)) throw new EngineError('BAD_OPTIONS', `pools.${name}: an integer from 1 to 8`)
    return n
  }
  return {
    dcs: o.dcs,
    defaultDcId: o.defaultDcId,
    app: o.app,
    layer: o.layer,
    tempKeys,
    defaultTimeoutMs: o.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    stall: stallConfig(stallMs),
    wireDcId: (dcId) => (test ? dcId + 10_000 : dcId),
    inflate: new InflateBudget(),
    pools: { upload: poolSize(o.pools?.upload, 'upload'), download: poolSize(o.pools?.download, 'download'), media: 1, main: 1 },
    floodWaitMaxS,
  }
}
