/**
 * A scripted WorkerApi for boundary tests, run inside a real Worker through the same
 * `exposeOn` the product uses. The first byte of an invoke request picks the behaviour.
 */
import { RpcError, TransportError } from '@pfs-web/errors'
import { EngineError, type DcStateView, type KeyEvent, type KeyEventListener, type StateListener, type UpdateListener, type WorkerApi } from '@pfs-web/worker'

export const Op = {
  throwRpc: 1,
  throwTransport: 2,
  hang: 3,
  echo: 4,
  log: 5,
} as const

export interface FakeEngineLog {
  initialised: boolean
  invokes: { callId: string | null; dcId: number | null; timeoutMs: number | null; length: number }[]
  cancelled: string[]
  listeners: { state: number; update: number; keyEvent: number }
  /** byteLength of the last echo result after it was handed back (0 once transferred). */
  lastEchoByteLength: number | null
  savedParts: { fileId: string; part: number; length: number }[]
  /** Every lifecycle(kind) the client forwarded, in order. */
  lifecycle: string[]
}

/** A marker that travels as an update, so leak scans have something to find. */
export const UPDATE_MARKER = new TextEncoder().encode('fake-update-marker-0123456789')

export function fakeState(dcId: number, rotations: number): DcStateView {
  return {
    dcId, status: 'ready', waitReason: null, permKeyId: '00112233aabbccdd', tempKeyId: `temp-${rotations}`,
    nextTempKeyId: null, bound: true, expiresAt: 1_700_086_400 + rotations, nextRotationAt: null,
    serverTimeOffset: 0, handshakes: { perm: 1, temp: 1 + rotations }, binds: 1 + rotations, rotations,
    rebinds: 0, last404: null, stormBackoffUntil: null, lastError: null, pendingCalls: 0,
  }
}

function subscribeTo<L>(set: Set<L>, listener: L): Promise<() => void> {
  set.add(listener)
  return Promise.resolve(() => void set.delete(listener))
}

export function createFakeEngine(): WorkerApi {
  const log: FakeEngineLog = {
    initialised: false, invokes: [], cancelled: [], listeners: { state: 0, update: 0, keyEvent: 0 },
    lastEchoByteLength: null, savedParts: [], lifecycle: [],
  }
  const stateListeners = new Set<StateListener>()
  const updateListeners = new Set<UpdateListener>()
  const keyListeners = new Set<KeyEventListener>()
  const hanging = new Map<string, (error: unknown) => void>()
  let lastEcho: Uint8Array | null = null
  let rotations = 0

  const snapshot = (): DcStateView[] => [fakeState(2, rotations)]
  const snapshotLog = (): FakeEngineLog => ({
    ...log,
    listeners: { state: stateListeners.size, update: updateListeners.size, keyEvent: keyListeners.size },
    lastEchoByteLength: lastEcho ? lastEcho.byteLength : null,
  })

  return {
    async init() {
      log.initialised = true
    },
    async connect(dcId = 2) {
      for (const l of updateListeners) l(dcId, UPDATE_MARKER.slice())
      return fakeState(dcId, rotations)
    },
    invoke(request, options = {}) {
      log.invokes.push({ callId: options.callId ?? null, dcId: options.dcId ?? null, timeoutMs: options.timeoutMs ?? null, length: request.length })
      switch (request[0]) {
        case Op.throwRpc:
          return Promise.reject(new RpcError(420, 'FLOOD_WAIT_3'))
        case Op.throwTransport:
          return Promise.reject(new TransportError(-404, 'auth key not found'))
        case Op.hang:
          return new Promise((_, reject) => hanging.set(options.callId ?? '', reject))
        case Op.echo:
          lastEcho = request
          return Promise.resolve(request)
        case Op.log:
          return Promise.resolve(new TextEncoder().encode(JSON.stringify(snapshotLog())))
        default:
          return Promise.reject(new EngineError('UNKNOWN_OP', `op ${request[0]}`))
      }
    },
    async cancel(callId) {
      log.cancelled.push(callId)
      hanging.get(callId)?.(new EngineError('CANCELLED'))
      hanging.delete(callId)
    },
    async getConfig() {
      return { date: 1_700_000_000, expires: 1_700_003_600, thisDc: 2, testMode: true, dcOptions: [{ id: 2, ipAddress: '127.0.0.1', port: 9444 }] }
    },
    async getNearestDc() {
      return { country: 'NL', thisDc: 2, nearestDc: 2 }
    },
    async saveFilePart(fileId, part, bytes) {
      log.savedParts.push({ fileId: fileId.toString(), part, length: bytes.length })
      return true
    },
    async getFile(_fileId, offset, limit) {
      return Uint8Array.from({ length: limit }, (_, i) => (offset + i) & 0xff)
    },
    async states() {
      return snapshot()
    },
    async subscribe(listener) {
      const unsubscribe = await subscribeTo(stateListeners, listener)
      listener(snapshot())
      return unsubscribe
    },
    onUpdate: (listener) => subscribeTo(updateListeners, listener),
    onKeyEvent: (listener) => subscribeTo(keyListeners, listener),
    async rotateNow(dcId = 2) {
      rotations += 1
      const event: KeyEvent = { dcId, kind: 'rotated', keyId: `temp-${rotations}`, keyKind: 'temp', at: 1_700_000_000 + rotations }
      for (const l of stateListeners) l(snapshot())
      for (const l of keyListeners) l(event)
    },
    async lifecycle(kind) {
      log.lifecycle.push(kind)
    },
    async logout() {},
    async close() {
      for (const reject of hanging.values()) reject(new EngineError('CLOSED'))
      hanging.clear()
    },
  }
}
