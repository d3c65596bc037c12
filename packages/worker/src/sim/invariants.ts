/**
 * The properties every simulated run must keep, checked as events happen and after every
 * virtual-time step (FoundationDB/VOPR style), not only at the end. Each break is a line
 * naming the rule and the virtual time; the runner prints the seed and a replay command.
 */
import type { KeyConnectionUse } from '@pfs-web/server'
import type { TlObject } from '@pfs-web/tl'
import type { KeyEvent } from '../api.ts'
import type { RecordingKeyStore } from '../test-support/recording-key-store.ts'
import { FAULT_KINDS, type FaultKind, type PlannedFault } from './scenario.ts'
import type { SocketEnd } from './sim-net.ts'

/** Failure-driven temp handshakes allowed per connection in any 60 s (pfs §1.7 storm control; each pool connection keeps its own policy state, issue #15). */
export const MAX_FAILURE_HANDSHAKES_PER_MINUTE = 6
/**
 * Socket opens allowed in any 60 s beyond one per temp handshake started in it: a temp
 * key's lane keeps its handshake's socket (issue #17), so the rest are perm handshakes and
 * reconnects after drops.
 */
export const MAX_EXTRA_OPENS_PER_MINUTE = 30
/** A fault's effects may linger this long after it ended (storm budget, backoff, resync). */
export const FAULT_SHADOW_MS = 120_000

const CLOCK_FAULTS: ReadonlySet<FaultKind> = new Set(['clock-skew', 'wall-jump', 'wall-skew', 'early-sweep', 'latency', 'half-open', 'revoke-perm-key'])
/** Faults a user must never notice: a salt change is answered by bad_server_salt and a resend (mtproto §salt). */
const SILENT_FAULTS: ReadonlySet<FaultKind> = new Set(['salt'])
const FAULTS_THAT_EXCUSE_FAILURES: ReadonlySet<FaultKind> = new Set(FAULT_KINDS.filter((k) => !SILENT_FAULTS.has(k)))

export interface CallRecord {
  id: number
  start: number
  deadline: number
  settled: number
  outcome: 'pending' | 'ok' | 'wrong' | string
}

export class Invariants {
  readonly violations: string[] = []
  checks = 0
  /** Temp handshake starts by connection ('main', 'upload-0', …): the rotation and storm rules hold per connection. */
  private readonly failureStarts = new Map<string, number[]>()
  private readonly allStarts = new Map<string, number[]>()
  private readonly faultWindows: { from: number; to: number; kind: FaultKind }[] = []
  /** When the first temp key was bound: calls made before it also wait out the connect. */
  private firstBound: number | null = null
  private closingAt: number | null = null
  /** When each temp key was made (virtual ms), by key id. */
  private readonly createdAt = new Map<string, number>()
  /** The server's connection id carrying each temp key (server key id) now. */
  private readonly keySocket = new Map<bigint, number>()
  /** Temp key packets the server saw on a socket other than the one that made the key. */
  keySocketMoves = 0

  /** `minLifetimeS`: the shortest temp key lifetime the engine may draw. */
  constructor(
    private readonly keys: RecordingKeyStore,
    private readonly minLifetimeS: number,
  ) {}

  private fail(now: number, rule: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${now.toFixed(0)}ms ${rule}`)
  }

  faultApplied(f: PlannedFault, now: number): void {
    this.faultWindows.push({ from: now, to: f.kind === 'revoke-perm-key' ? Infinity : now + f.durationMs, kind: f.kind })
  }

  /** Whether any fault (of `kinds`, or any) was active in [from − shadow, to]. */
  disturbed(from: number, to: number, kinds?: ReadonlySet<FaultKind>): boolean {
    return this.faultWindows.some((w) => (kinds === undefined || kinds.has(w.kind)) && w.from <= to && w.to + FAULT_SHADOW_MS >= from)
  }

  onKeyEvent(e: KeyEvent, now: number): void {
    if (e.kind === 'created' && e.keyId !== null) this.createdAt.set(e.keyId, now)
    if (e.kind === 'bound' && this.firstBound === null) this.firstBound = now
    if (e.kind === 'handshake-started') {
      const conn = e.connection ?? 'main'
      const all = startsOf(this.allStarts, conn)
      const failures = startsOf(this.failureStarts, conn)
      all.push(now)
      const inMinute = (ts: number[]) => ts.filter((t) => t + 60_000 > now).length
      if (e.detail === 'planned') {
        // a planned start renews a bound key, which lives at least half its lifetime first:
        // more planned starts than that are failures passed off as rotations
        this.checks++
        const recent = inMinute(all) - inMinute(failures)
        const allowed = Math.ceil(60 / (this.minLifetimeS / 2)) + 1
        if (recent > allowed) this.fail(now, `planned rotations on ${conn}: ${recent} in 60 s, keys of ${this.minLifetimeS} s allow ${allowed}`)
      }
      if (e.detail === 'failure') {
        failures.push(now)
        this.checks++
        const recent = inMinute(failures)
        if (recent > MAX_FAILURE_HANDSHAKES_PER_MINUTE) this.fail(now, `storm budget on ${conn}: ${recent} failure-driven handshakes in 60 s`)
      }
    }
    if (e.kind === 'dropped' && e.keyKind === 'temp' && e.keyId !== null) {
      this.checks++
      const held = this.keys.temps.find((t) => hex(t.idBytes) === e.keyId)
      if (held === undefined) this.fail(now, `zeroing: dropped temp key ${e.keyId} was never recorded`)
      else if (held.bytes.some((b) => b !== 0)) this.fail(now, `zeroing: dropped temp key ${e.keyId} still holds its bytes`)
    }
  }

  /**
   * A planned rotation replaced key `replaced`; `replacedAlive`: the server still held it,
   * unexpired. Only a key no fault touched in its whole life is held to it (an early sweep
   * shortens a key's life on the server without the client knowing).
   */
  onRotated(now: number, replaced: string, replacedAlive: boolean): void {
    this.checks++
    const born = this.createdAt.get(replaced) ?? 0
    if (!replacedAlive && !this.disturbed(born - FAULT_SHADOW_MS, now, FAULTS_THAT_EXCUSE_FAILURES)) this.fail(now, `make-before-break: the replaced key ${replaced} was gone before its successor took traffic`)
  }

  /** Socket `index` of `openTimes` (virtual ms of every open so far) was opened. */
  onSocketOpened(openTimes: readonly number[], index: number): void {
    this.checks++
    const now = openTimes[index] as number
    let opens = 0
    for (let i = index; i >= 0 && (openTimes[i] as number) > now - 60_000; i--) opens++
    let starts = 0
    for (const ts of this.allStarts.values()) starts += ts.filter((t) => t + 60_000 > now).length
    if (opens > starts + MAX_EXTRA_OPENS_PER_MINUTE) this.fail(now, `reconnect backoff: ${opens} sockets opened in 60 s (${starts} handshakes)`)
  }

  /**
   * Issue #17, one socket per temp key: a temp key's bind and calls go on the socket its
   * handshake ran on, and move to another only once that one is gone: dropped by the
   * server or the link, or closed by the engine in a fault (a reconnect). `socketEnd`: how
   * the socket the server knows by that connection id ended, null while the engine holds it.
   */
  onKeyConnection(now: number, use: KeyConnectionUse, socketEnd: (connection: number) => SocketEnd | null): void {
    if (use.kind !== 'temp') return
    this.checks++
    const was = this.keySocket.get(use.keyId)
    this.keySocket.set(use.keyId, use.connection)
    if (use.event === 'made' || was === undefined || was === use.connection) return
    this.keySocketMoves++
    const end = socketEnd(was)
    if (end === null) this.fail(now, `one socket per temp key: key ${use.keyId} used on socket ${use.connection} while the engine holds its socket ${was} open`)
    else if (end.by === 'engine' && !this.disturbed(end.at, end.at)) this.fail(now, `one socket per temp key: the engine closed key ${use.keyId}'s socket ${was} with no fault around and moved it to ${use.connection}`)
  }

  /** The embedder closes the engine: calls still in flight fail CLOSED, as they should. */
  engineClosing(now: number): void {
    this.closingAt = now
  }

  onSettled(call: CallRecord, now: number): void {
    this.checks++
    if (now > call.deadline) this.fail(now, `call ${call.id} settled ${now - call.deadline} ms after its deadline`)
    if (call.outcome === 'wrong') this.fail(now, `call ${call.id} got a wrong answer`)
    if (call.outcome.startsWith('untyped:')) this.fail(now, `call ${call.id} failed with an untyped error ${call.outcome}`)
    // a call made before the first bind may time out while the client connects: its
    // deadline can be shorter than two handshakes over a slow link
    const connecting = this.firstBound === null || call.start < this.firstBound
    const closedByEmbedder = this.closingAt !== null && call.outcome === 'CLOSED'
    if (call.outcome !== 'ok' && !connecting && !closedByEmbedder && !this.disturbed(call.start - FAULT_SHADOW_MS, now, FAULTS_THAT_EXCUSE_FAILURES)) {
      this.fail(now, `call ${call.id} failed (${call.outcome}) with no fault around it`)
    }
  }

  /** After every step: nothing past its deadline, no API message under a perm key, no key used past its expiry. */
  afterStep(now: number, pending: Iterable<CallRecord>, serverViolations: number, expiredKeyPackets: number, lastExpired: number): void {
    this.checks += 3
    for (const c of pending) if (now > c.deadline) this.fail(now, `call ${c.id} still pending ${now - c.deadline} ms past its deadline`)
    if (serverViolations > 0) this.fail(now, `PFS: ${serverViolations} API messages under a perm key`)
    if (expiredKeyPackets > lastExpired && !this.disturbed(now - FAULT_SHADOW_MS, now, CLOCK_FAULTS)) {
      this.fail(now, `expiry: ${expiredKeyPackets - lastExpired} packets under a temp key after its expires_at with the clock known`)
    }
  }

  /**
   * A packet the server handled, with the API calls it ran in their order (issue #17):
   * calls issued together in one turn (the workload's bursts: saveFilePart parts 0, 1, 2…
   * of one file) must run in the order issued, whatever container they travelled in.
   */
  onServerPacket(now: number, calls: readonly TlObject[]): void {
    this.checks++
    const last = new Map<bigint, number>()
    for (const c of calls) {
      if (c._ !== 'upload.saveFilePart') continue
      const before = last.get(c.file_id)
      if (before !== undefined && c.file_part <= before) this.fail(now, `batching order: burst ${c.file_id} part ${c.file_part} ran after part ${before} in one packet`)
      last.set(c.file_id, c.file_part)
    }
  }

  afterClose(now: number, openSockets: number, engineTimers: number): void {
    this.checks += 2
    if (openSockets !== 0) this.fail(now, `close: ${openSockets} sockets still open`)
    if (engineTimers !== 0) this.fail(now, `close: ${engineTimers} engine timers still armed`)
  }
}

function startsOf(by: Map<string, number[]>, conn: string): number[] {
  let ts = by.get(conn)
  if (ts === undefined) by.set(conn, (ts = []))
  return ts
}

export function hex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}
