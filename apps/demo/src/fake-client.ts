import type { ConfigView, DcStateView, KeyEvent, NearestDcView, WorkerOptions } from '@pfs-web/client'
import type { DemoClient } from './client-adapter.ts'

type KeyEventKind = KeyEvent['kind']

// Stand-in until @pfs-web/client lands: walks one DC through handshake → bind →
// rotation with real timers so the page can be laid out. It talks to no server.

const LIFETIME_S = 600
const MARGIN_S = 120

function keyId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function createFakeClient(options: WorkerOptions): DemoClient {
  const dcId = options.defaultDcId
  const now = () => Math.floor(Date.now() / 1000)
  const files = new Map<bigint, Uint8Array[]>()
  const stateListeners = new Set<(s: DcStateView[]) => void>()
  const eventListeners = new Set<(e: KeyEvent) => void>()
  const state: DcStateView = {
    dcId, status: 'idle', waitReason: null, permKeyId: null, tempKeyId: null, nextTempKeyId: null,
    bound: false, expiresAt: null, nextRotationAt: null, serverTimeOffset: 0.4,
    handshakes: { perm: 0, temp: 0 }, binds: 0, rotations: 0, rebinds: 0,
    last404: null, stormBackoffUntil: null, lastError: null,
  }
  const publish = () => stateListeners.forEach((l) => l([{ ...state, handshakes: { ...state.handshakes } }]))
  const emit = (kind: KeyEventKind, keyKind: 'perm' | 'temp', id: string | null, detail?: string) =>
    eventListeners.forEach((l) => l({ dcId, kind, keyKind, keyId: id, at: now(), ...(detail ? { detail } : {}) }))

  async function ready(): Promise<void> {
    if (state.status === 'ready') return
    state.status = 'handshaking'
    publish()
    await sleep(300)
    if (!state.permKeyId) {
      state.permKeyId = keyId()
      state.handshakes.perm++
      emit('created', 'perm', state.permKeyId)
    }
    state.tempKeyId = keyId()
    state.handshakes.temp++
    emit('created', 'temp', state.tempKeyId, `expires_in ${LIFETIME_S}s`)
    state.status = 'binding'
    publish()
    await sleep(150)
    state.bound = true
    state.binds++
    state.expiresAt = now() + LIFETIME_S
    state.nextRotationAt = state.expiresAt - MARGIN_S
    state.status = 'ready'
    emit('bound', 'temp', state.tempKeyId)
    publish()
  }

  return {
    connect: async () => ready(),
    async getConfig(): Promise<ConfigView> {
      await ready()
      return { date: now(), expires: now() + 3600, thisDc: dcId, testMode: true, dcOptions: [{ id: dcId, ipAddress: '127.0.0.1', port: 9443 }] }
    },
    async getNearestDc(): Promise<NearestDcView> {
      await ready()
      return { country: 'XX', thisDc: dcId, nearestDc: dcId }
    },
    async saveFilePart(fileId, part, bytes) {
      await ready()
      await sleep(20)
      const parts = files.get(fileId) ?? []
      parts[part] = bytes.slice()
      files.set(fileId, parts)
      return true
    },
    async getFile(fileId, offset, limit) {
      await ready()
      await sleep(20)
      const all = new Uint8Array((files.get(fileId) ?? []).flatMap((p) => Array.from(p)))
      return all.slice(offset, offset + limit)
    },
    subscribe(listener) {
      stateListeners.add(listener)
      listener([state])
      return () => stateListeners.delete(listener)
    },
    onKeyEvent(listener) {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    async rotateNow() {
      await ready()
      state.nextTempKeyId = keyId()
      state.handshakes.temp++
      emit('created', 'temp', state.nextTempKeyId)
      publish()
      await sleep(400)
      const old = state.tempKeyId
      state.tempKeyId = state.nextTempKeyId
      state.nextTempKeyId = null
      state.binds++
      state.rotations++
      state.expiresAt = now() + LIFETIME_S
      state.nextRotationAt = state.expiresAt - MARGIN_S
      emit('bound', 'temp', state.tempKeyId)
      emit('rotated', 'temp', state.tempKeyId, `replaced ${old}`)
      publish()
    },
    async close() {
      state.status = 'closed'
      publish()
    },
  }
}
