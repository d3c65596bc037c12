import type { InnerForm, KeyView, ServerStats } from '@pfs-web/control-client'
import type { AuthKey } from './pfs/key-store.ts'

const RECENT_VIOLATIONS = 50

function bump(map: Record<string, number>, key: string | number): void {
  map[String(key)] = (map[String(key)] ?? 0) + 1
}

/** Counters; the key list is filled from the key store when a snapshot is taken. */
export class StatsRecorder {
  private data: Omit<ServerStats, 'keys'> = empty()

  handshake(kind: 'perm' | 'temp', dc: number, form: InnerForm): void {
    bump(this.data.handshakes[kind], dc)
    bump(this.data.handshakes.forms, form)
  }
  handshakeFailed(check: string): void {
    bump(this.data.handshakes.failed, check)
  }
  bindOk(): void {
    this.data.binds.ok++
  }
  bindFailed(error: string, reason: string): void {
    bump(this.data.binds.failed, error)
    bump(this.data.binds.failedReasons, reason)
  }
  transportError(code: number): void {
    bump(this.data.transportErrors, code)
  }
  badMsg(code: number): void {
    bump(this.data.badMsgNotifications, code)
  }
  health(): { violations: number; expiredKeyPackets: number } {
    return { violations: this.data.violations.count, expiredKeyPackets: this.data.expiredKeyPackets }
  }
  expiredKeyPacket(): void {
    this.data.expiredKeyPackets++
  }
  violation(keyId: bigint, method: string, at: number): void {
    this.data.violations.count++
    this.data.violations.recent.push({ keyId: keyId.toString(), method, at })
    if (this.data.violations.recent.length > RECENT_VIOLATIONS) this.data.violations.recent.shift()
  }
  apiCall(method: string): void {
    bump(this.data.apiCalls, method)
  }
  /** One encrypted packet handled, with the API calls it carried. */
  packetCalls(calls: number): void {
    if (calls > 0) bump(this.data.apiCallsPerPacket, calls)
  }
  connectionOpened(): void {
    this.data.connections.open++
    this.data.connections.total++
  }
  connectionClosed(badInput: string | null): void {
    this.data.connections.open--
    if (badInput !== null) bump(this.data.connections.closedForBadInput, badInput)
  }

  snapshot(keys: Iterable<AuthKey>): ServerStats {
    const copy = structuredClone(this.data)
    return { ...copy, keys: [...keys].map(keyView) }
  }
}

function keyView(k: AuthKey): KeyView {
  return {
    id: k.id.toString(),
    kind: k.kind,
    dc: k.dc.id,
    form: k.form,
    test: k.dc.test,
    media: k.dc.media,
    createdAt: k.createdAt,
    expiresAt: k.kind === 'temp' ? k.expiresAt : null,
    boundTo: k.kind === 'temp' && k.boundTo !== null ? k.boundTo.toString() : null,
    inited: k.kind === 'temp' ? k.inited : true,
    layer: k.kind === 'temp' ? k.layer : null,
    messages: k.messages,
    apiCalls: k.apiCalls,
  }
}

function empty(): Omit<ServerStats, 'keys'> {
  return {
    handshakes: { perm: {}, temp: {}, forms: {}, failed: {} },
    binds: { ok: 0, failed: {}, failedReasons: {} },
    transportErrors: {},
    badMsgNotifications: {},
    violations: { count: 0, recent: [] },
    expiredKeyPackets: 0,
    apiCalls: {},
    apiCallsPerPacket: {},
    connections: { open: 0, total: 0, closedForBadInput: {} },
  }
}
