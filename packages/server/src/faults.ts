import { ControlError, DROP_POINTS, MIGRATE_ERRORS, type BindingMode, type DropPoint, type FaultAction, type FaultState, type MigrateError } from '@pfs-web/control-client'

/** The mutable fault settings the server consults; key-touching faults run in server.ts. */
export class Faults {
  state: FaultState

  /** `bindingMode` is the server's setting; `clear` and `restart` return to it. */
  constructor(private readonly bindingMode: BindingMode = 'many') {
    this.state = initialState(bindingMode)
  }

  takeBindError(): { error: string; code: number } | null {
    return this.state.pendingBindErrors.shift() ?? null
  }

  takeDrop(point: DropPoint): boolean {
    const i = this.state.pendingDrops.indexOf(point)
    if (i < 0) return false
    this.state.pendingDrops.splice(i, 1)
    return true
  }

  /** The FLOOD_WAIT error the next call of `method` gets, if a flood-wait fault waits for it. */
  takeFloodWait(method: string): string | null {
    const i = this.state.pendingFloodWaits.findIndex((f) => f.method === method)
    return i < 0 ? null : (this.state.pendingFloodWaits.splice(i, 1)[0]?.error ?? null)
  }

  takeDhGen(): 'retry' | 'fail' | null {
    return this.state.pendingDhGen.shift() ?? null
  }

  /** The 303 error (api/errors SEE_OTHER) a `migrate` fault gives `method` arriving on DC `dc`, if any. */
  takeMigrate(method: string, dc: number): string | null {
    for (const r of this.state.migrations) {
      if (r.method !== method || r.dc === dc || r.left === 0) continue
      if (r.skip > 0) {
        r.skip--
        continue
      }
      if (r.left !== null) r.left--
      r.answered++
      return `${r.error}_${r.dc}`
    }
    return null
  }

  /** The transport error every encrypted packet gets now, if a storm or flood is on. */
  transportErrorNow(now: number): -404 | -429 | null {
    if (this.state.flood429Until !== null && now < this.state.flood429Until) return -429
    if (this.state.storm404Until !== null && now < this.state.storm404Until) return -404
    return null
  }

  reset(): void {
    this.state = initialState(this.bindingMode)
  }
}

function initialState(bindingMode: BindingMode): FaultState {
  return {
    clockOffsetSeconds: 0,
    handshakeDelayMs: 0,
    latencyMs: 0,
    storm404Until: null,
    flood429Until: null,
    pendingBindErrors: [],
    pendingDrops: [],
    pendingDhGen: [],
    pendingFloodWaits: [],
    pushEverySeconds: 0,
    bindingMode,
    migrations: [],
    authorizationRequired: false,
  }
}

/** Validates untrusted JSON into a FaultAction. */
export function parseFaultAction(value: unknown): FaultAction {
  if (typeof value !== 'object' || value === null) throw new ControlError('BAD_FAULT', 'fault must be an object')
  const v = value as Record<string, unknown>
  const num = (k: string, optional = false): number | undefined => {
    const x = v[k]
    if (x === undefined && optional) return undefined
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ControlError('BAD_FAULT', `${k} must be a number`)
    return x
  }
  const keyId = (): string | undefined => {
    const x = v.keyId
    if (x === undefined) return undefined
    if (typeof x !== 'string' || !/^-?\d+$/.test(x)) throw new ControlError('BAD_FAULT', 'keyId must be a decimal string')
    return x
  }
  switch (v.type) {
    case 'forget-temp-key': {
      const after = num('afterSeconds', true)
      return { type: 'forget-temp-key', ...withDefined({ keyId: keyId(), afterSeconds: after }) }
    }
    case 'forget-perm-key':
      return { type: 'forget-perm-key', ...withDefined({ keyId: keyId() }) }
    case 'unbind-temp-key':
      return { type: 'unbind-temp-key', ...withDefined({ keyId: keyId() }) }
    case 'bind-error': {
      if (typeof v.error !== 'string' || !/^[A-Z_0-9]+$/.test(v.error)) throw new ControlError('BAD_FAULT', 'error must be an rpc error name')
      return { type: 'bind-error', error: v.error, ...withDefined({ code: num('code', true), count: num('count', true) }) }
    }
    case 'flood-wait': {
      if (typeof v.method !== 'string' || !/^[a-zA-Z.]+$/.test(v.method)) throw new ControlError('BAD_FAULT', 'method must be a TL method name')
      const seconds = num('seconds')!
      if (!(Number.isInteger(seconds) && seconds >= 0)) throw new ControlError('BAD_FAULT', 'seconds must be an integer >= 0')
      if (v.premium !== undefined && typeof v.premium !== 'boolean') throw new ControlError('BAD_FAULT', 'premium must be a boolean')
      return { type: 'flood-wait', method: v.method, seconds, ...withDefined({ premium: v.premium, count: num('count', true) }) }
    }
    case 'drop-connection':
      if (typeof v.after !== 'string' || !(DROP_POINTS as readonly string[]).includes(v.after)) throw new ControlError('BAD_FAULT', 'after must be a drop point')
      return { type: 'drop-connection', after: v.after as DropPoint }
    case 'delay-handshake':
      return { type: 'delay-handshake', ms: num('ms')! }
    case 'latency': {
      const ms = num('ms')!
      if (ms < 0 || ms > 60_000) throw new ControlError('BAD_FAULT', 'ms must be 0..60000')
      return { type: 'latency', ms }
    }
    case 'clock-offset':
      return { type: 'clock-offset', seconds: num('seconds')! }
    case 'salt': {
      const after = num('afterSeconds', true)
      if (after !== undefined && after < 0) throw new ControlError('BAD_FAULT', 'afterSeconds must be >= 0')
      return { type: 'salt', ...withDefined({ keyId: keyId(), afterSeconds: after }) }
    }
    case 'storm-404':
      return { type: 'storm-404', seconds: num('seconds')! }
    case 'flood-429':
      return { type: 'flood-429', seconds: num('seconds')! }
    case 'dh-gen':
      if (v.answer !== 'retry' && v.answer !== 'fail') throw new ControlError('BAD_FAULT', 'answer must be retry or fail')
      return { type: 'dh-gen', answer: v.answer }
    case 'push-updates':
      return { type: 'push-updates', everySeconds: num('everySeconds')! }
    case 'binding-mode':
      if (v.mode !== 'many' && v.mode !== 'replace') throw new ControlError('BAD_FAULT', 'mode must be many or replace')
      return { type: 'binding-mode', mode: v.mode }
    case 'migrate': {
      if (typeof v.method !== 'string' || !/^[a-zA-Z_.0-9]+$/.test(v.method)) throw new ControlError('BAD_FAULT', 'method must be a TL method name')
      if (!(MIGRATE_ERRORS as readonly unknown[]).includes(v.error)) throw new ControlError('BAD_FAULT', 'error must be a *_MIGRATE name')
      const [dc, nth, count] = [num('dc')!, num('nth', true), num('count', true)]
      if (![dc, nth ?? 1, count ?? 1].every((n) => Number.isSafeInteger(n) && n > 0)) throw new ControlError('BAD_FAULT', 'dc, nth and count must be positive integers')
      return { type: 'migrate', method: v.method, error: v.error as MigrateError, dc, ...withDefined({ nth, count }) }
    }
    case 'sign-in': {
      const dc = num('dc')!
      if (v.userId !== undefined && (typeof v.userId !== 'string' || !/^[1-9]\d{0,17}$/.test(v.userId))) throw new ControlError('BAD_FAULT', 'userId must be a positive decimal string')
      return { type: 'sign-in', dc, ...withDefined({ userId: v.userId as string | undefined }) }
    }
    case 'require-authorization':
      if (typeof v.on !== 'boolean') throw new ControlError('BAD_FAULT', 'on must be a boolean')
      return { type: 'require-authorization', on: v.on }
    case 'updates-too-long':
    case 'restart':
    case 'clear':
      return { type: v.type }
    default:
      throw new ControlError('BAD_FAULT', 'unknown fault type')
  }
}

function withDefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>
}
