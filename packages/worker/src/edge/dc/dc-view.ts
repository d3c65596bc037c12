/** The plain-data views of a DC that cross the worker boundary (api.ts). */
import type { DcStateView } from '../../api.ts'
import type { EngineEnv } from '../../env.ts'
import type { KeyHandle } from '../../keys/key-store.ts'
import type { BindPhase } from '../../policy/pfs/gate.ts'
import type { TempKeyState } from '../../policy/pfs/key-slots.ts'
import type { ServerClock } from '../../policy/session/msg-id.ts'
import type { DcReport } from './dc-report.ts'
import type { Lane } from './lane.ts'

/** What a DC's view is read from. */
export interface DcViewSource {
  readonly dcId: number
  readonly env: EngineEnv
  readonly report: Pick<DcReport, 'status' | 'waitReason' | 'counters' | 'last404' | 'lastError'>
  readonly perm: KeyHandle | null
  readonly lane: Lane | null
  readonly phase: BindPhase
  readonly clock: ServerClock
  readonly tempKeys: { readonly state: TempKeyState; readonly nextKeyId: string | null }
  readonly nextRotationAt: number | null
  readonly calls: { readonly pending: number }
  now(): number
  serverNowS(): number
}

export function dcStateView(dc: DcViewSource): DcStateView {
  const lane = dc.lane
  const { status, waitReason, counters, last404, lastError } = dc.report
  const now = dc.now()
  const storm = dc.tempKeys.state.storm
  return {
    dcId: dc.dcId,
    status,
    waitReason: status === 'backoff' ? waitReason : null,
    permKeyId: dc.perm?.idHex ?? null,
    tempKeyId: lane?.key.idHex ?? null,
    nextTempKeyId: dc.tempKeys.nextKeyId,
    bound: dc.phase === 'bound' && (lane?.bound ?? false),
    expiresAt: lane?.key.expiresAt ?? null,
    nextRotationAt: dc.nextRotationAt,
    // offsetS maps local monotonic time to server time; report it against the wall clock.
    serverTimeOffset: dc.clock.offsetS - (dc.env.clock.wallNow() - now) / 1000,
    handshakes: { perm: counters.perm, temp: counters.temp },
    binds: counters.binds,
    rotations: counters.rotations,
    rebinds: counters.rebinds,
    last404,
    stormBackoffUntil: storm.backoffUntil > now ? Math.floor(dc.serverNowS() + (storm.backoffUntil - now) / 1000) : null,
    lastError,
    pendingCalls: dc.calls.pending,
  }
}
