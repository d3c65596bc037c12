/** The plain-data views of a DC that cross the worker boundary (api.ts). */
import type { ConnectionStatus, DcStateView, ErrorView, Last404View } from '../../api.ts'
import type { EngineEnv } from '../../env.ts'
import type { KeyHandle } from '../../keys/key-store.ts'
import type { BindPhase } from '../../policy/pfs/gate.ts'
import type { TempKeyState } from '../../policy/pfs/key-slots.ts'
import type { ServerClock } from '../../policy/session/msg-id.ts'
import type { Lane } from './lane.ts'

/** What a DC's view is read from. */
export interface DcViewSource {
  readonly dcId: number
  readonly env: EngineEnv
  readonly status: ConnectionStatus
  readonly waitReason: string | null
  readonly perm: KeyHandle | null
  readonly lane: Lane | null
  readonly phase: BindPhase
  readonly clock: ServerClock
  readonly tempKeys: { readonly state: TempKeyState; readonly nextKeyId: string | null }
  readonly nextRotationAt: number | null
  readonly counters: Readonly<Record<'perm' | 'temp' | 'binds' | 'rotations' | 'rebinds', number>>
  readonly last404: Last404View | null
  readonly lastError: ErrorView | null
  now(): number
  serverNowS(): number
}

export function dcStateView(dc: DcViewSource): DcStateView {
  const lane = dc.lane
  const now = dc.now()
  const storm = dc.tempKeys.state.storm
  return {
    dcId: dc.dcId,
    status: dc.status,
    waitReason: dc.status === 'backoff' ? dc.waitReason : null,
    permKeyId: dc.perm?.idHex ?? null,
    tempKeyId: lane?.key.idHex ?? null,
    nextTempKeyId: dc.tempKeys.nextKeyId,
    bound: dc.phase === 'bound' && (lane?.bound ?? false),
    expiresAt: lane?.key.expiresAt ?? null,
    nextRotationAt: dc.nextRotationAt,
    // offsetS maps local monotonic time to server time; report it against the wall clock.
    serverTimeOffset: dc.clock.offsetS - (dc.env.clock.wallNow() - now) / 1000,
    handshakes: { perm: dc.counters.perm, temp: dc.counters.temp },
    binds: dc.counters.binds,
    rotations: dc.counters.rotations,
    rebinds: dc.counters.rebinds,
    last404: dc.last404,
    stormBackoffUntil: storm.backoffUntil > now ? Math.floor(dc.serverNowS() + (storm.backoffUntil - now) / 1000) : null,
    lastError: dc.lastError,
  }
}

/** name/code/message of anything thrown; never the object itself (it may hold bytes). */
export function errorView(err: unknown): ErrorView {
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    code: typeof e?.code === 'string' || typeof e?.code === 'number' ? e.code : 'UNKNOWN',
    message: typeof e?.message === 'string' ? e.message : String(err),
  }
}
