/**
 * What a DC shows the page besides its keys: the connection status, the last -404 and the
 * last error, and the counters. Written only here; each change tells the engine (`changed`).
 */
import type { ConnectionStatus, ErrorView, Last404View } from '../../api.ts'

export type DcCounters = Record<'perm' | 'temp' | 'binds' | 'rotations' | 'rebinds', number>

export class DcReport {
  #statusNow: ConnectionStatus = 'idle'
  #waitReasonNow: string | null = null
  #last404Seen: Last404View | null = null
  #lastErrorSeen: ErrorView | null = null
  readonly #counted: DcCounters = { perm: 0, temp: 0, binds: 0, rotations: 0, rebinds: 0 }

  readonly #changed: () => void

  constructor(changed: () => void) {
    this.#changed = changed
  }

  get status(): ConnectionStatus {
    return this.#statusNow
  }
  get waitReason(): string | null {
    return this.#waitReasonNow
  }
  get last404(): Last404View | null {
    return this.#last404Seen
  }
  get lastError(): ErrorView | null {
    return this.#lastErrorSeen
  }
  get counters(): Readonly<DcCounters> {
    return this.#counted
  }

  setStatus(status: ConnectionStatus, waitReason: string | null): void {
    this.#statusNow = status
    this.#waitReasonNow = waitReason
    this.#changed()
  }

  setError(err: unknown): void {
    this.#lastErrorSeen = errorView(err)
    this.#changed()
  }

  saw404(seen: Last404View): void {
    this.#last404Seen = seen
  }

  count(what: 'perm' | 'temp' | 'binds'): void {
    this.#counted[what]++
  }

  /** A traffic switch counts as a rebind (recovery) or a rotation; a hold counts nothing. */
  countSwitch(cause: 'first' | 'rotation' | 'recovery'): void {
    if (cause === 'recovery') this.#counted.rebinds++
    else if (cause === 'rotation') this.#counted.rotations++
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
