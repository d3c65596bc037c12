/**
 * A lane is one temp key in use: its connection, its MTProto session, its salts and its
 * pending acks. It numbers, batches (msg_container), seals and sends messages, and opens
 * and unpacks what arrives; what the messages mean is decided by the DC runtime.
 */
import { TransportError } from '@pfs-web/errors'
import { TlReader, decodeObject, serializeObject, type TlObject, type TlRaw } from '@pfs-web/tl'
import type { EngineEnv } from '../../env.ts'
import { PacketError } from '../../errors.ts'
import type { KeyHandle, KeyStore } from '../../keys/key-store.ts'
import { NO_ACKS, stepAcks, type AckAction, type AckState } from '../../policy/session/acks.ts'
import { NO_SALT, NO_SALT_STORM, decideSalt, stepSaltStorm, stepSalts, type SaltEvent, type SaltState, type SaltStorm } from '../../policy/session/salts.ts'
import { stepInit, wrapsNext, type InitEvent, type InitState } from '../../policy/session/init-connection.ts'
import { clockPlausibility, serverTimeFromMsgId } from '../../policy/session/msg-id.ts'
import type { MessageKind } from '../../policy/session/seqno.ts'
import { QUIET, stepStall, type StallConfig, type StallEvent, type StallState } from '../../policy/session/stall-watch.ts'
import { Connection, type ConnectionPurpose } from '../transport/connection.ts'
import { MtSession, randomLong, type InMessage, type OutMessage } from './mt-session.ts'

export interface Outgoing {
  kind: MessageKind
  /** The boxed body, or a builder for bodies that must embed their own msg_id (the bind). */
  body: Uint8Array | ((msgId: bigint) => Promise<Uint8Array>)
}

export interface Sent {
  msgId: bigint
  containerId: bigint | null
  sessionId: bigint
}

export interface Received {
  msgId: bigint
  seqno: number
  obj: TlObject
}

export interface LaneOwner {
  serverNowS(): number
  onMessage(lane: Lane, msg: Received): void
  /** A packet failed its checks or the transport failed; the lane's connection is gone. */
  onDown(lane: Lane, error: Error): void
  onTransportError(lane: Lane, code: number): void
  /** The salt store asked for get_future_salts. */
  onSaltRefresh(lane: Lane, num: number): void
  scheduleAckFlush(lane: Lane, atMs: number): void
  readonly stallConfig: StallConfig
  scheduleStallCheck(lane: Lane, atMs: number): void
  /** Calls or service requests sent on this lane and not answered yet. */
  owesAnswers(lane: Lane): boolean
  /** Whether another lane's session sent `msgId` recently (msg_ids must be unique in the DC). */
  msgIdInUse(lane: Lane, msgId: bigint): boolean
}

const CONTAINER_MAX = 1024
/** Messages at least this large go alone rather than in a container. */
const CONTAINER_MAX_BODY = 64 * 1024

export class Lane {
  session: MtSession
  conn: Connection | null = null
  bound = false
  /** Whether API calls go wrapped in invokeWithLayer(initConnection(...)) (session/init-connection). */
  private init: InitState = 'needed'
  /**
   * The server said this session's msg_ids run ahead of it (bad_msg 17) while our clock
   * could not be fixed: the next good sync starts a new session, whatever the clock says.
   */
  renumberOnSync = false
  /** Consecutive failed reconnects, for the backoff. */
  reconnects = 0
  private salts: SaltState = NO_SALT
  /** Fresh salts from bad_server_salt since the last content-related message. */
  private saltStorm: SaltStorm = NO_SALT_STORM
  private acks: AckState = NO_ACKS
  private stall: StallState = QUIET
  private opening: Promise<void> | null = null
  private closed = false
  private sendChain: Promise<unknown> = Promise.resolve()
  private recvChain: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly env: EngineEnv,
    private readonly keys: KeyStore,
    readonly key: KeyHandle,
    private readonly url: string,
    private readonly wireDcId: number,
    readonly purpose: ConnectionPurpose,
    private readonly owner: LaneOwner,
    initialSalt: bigint,
  ) {
    this.session = new MtSession(env.random)
    this.salts = stepSalts(this.salts, { type: 'handshake', salt: initialSalt }, owner.serverNowS())
  }

  get isUp(): boolean {
    return this.conn?.isOpen ?? false
  }

  /** Opens (or reopens after a drop) the lane's connection; the session survives. */
  open(): Promise<void> {
    if (this.closed) return Promise.reject(new TransportError('CLOSED', 'lane closed'))
    if (this.isUp) return Promise.resolve()
    this.opening ??= this.openNow().finally(() => {
      this.opening = null
    })
    return this.opening
  }

  private async openNow(): Promise<void> {
    const old = this.conn
    this.conn = null
    old?.close()
    // a new connection owes nothing yet; the resends re-arm the watch
    this.stall = QUIET
    const conn = new Connection(this.env, this.url, this.wireDcId, this.purpose)
    this.conn = conn
    await conn.open({
      onPacket: (p) => this.onPacket(conn, p),
      onTransportError: (code) => {
        if (this.conn === conn) this.owner.onTransportError(this, code)
      },
      onClose: (err) => {
        if (this.conn === conn) {
          this.conn = null
          this.owner.onDown(this, err)
        }
      },
    })
  }

  /** For good: a closed lane never opens again (its key is being dropped). */
  close(): void {
    this.closed = true
    const conn = this.conn
    this.conn = null
    conn?.close()
  }

  /**
   * bad_msg 32/33 (encryption.md §6: seq_no out of step) → a fresh session on the same
   * key; acks of the old session must not go out in the new one.
   */
  resetSession(): void {
    this.session = new MtSession(this.env.random)
    this.ackEvent({ type: 'session-reset' })
  }

  /**
   * Throws PacketError('SALT_STORM') past session/salts SALT_STORM_MAX fresh salts in a row; the salt is
   * taken first, so the resend after the reconnect carries the newest one.
   */
  salt(event: SaltEvent): void {
    this.salts = stepSalts(this.salts, event, this.owner.serverNowS())
    if (event.type !== 'bad-server-salt') return
    const { storm, broken } = stepSaltStorm(this.saltStorm, event)
    this.saltStorm = storm
    if (broken) throw new PacketError('SALT_STORM', `${storm.count} new salts in a row`)
  }

  /**
   * Numbers, batches and sends `items` in one packet (a container when more than one, with
   * pending acks piggy-backed). Sends are serialized so msg_ids reach the wire in order.
   */
  send(items: Outgoing[]): Promise<Sent[]> {
    const run = this.sendChain.then(() => this.sendNow(items))
    this.sendChain = run.catch(() => undefined)
    return run
  }

  /** invokeWithLayer(initConnection(...)) must prefix the next API call (pfs §1.5). */
  get needsInit(): boolean {
    return wrapsNext(this.init)
  }

  initEvent(event: InitEvent): void {
    this.init = stepInit(this.init, event)
  }

  ackEvent(event: Parameters<typeof stepAcks>[1]): void {
    // every accepted message passes here first; a content-related one is the progress that ends a salt storm
    if (event.type === 'received' && event.contentRelated) this.saltStorm = stepSaltStorm(this.saltStorm, { type: 'progress' }).storm
    const { state, actions } = stepAcks(this.acks, event, this.env.clock.now())
    this.acks = state
    this.runAckActions(actions)
  }

  private runAckActions(actions: AckAction[]): void {
    for (const a of actions) {
      if (a.type === 'schedule') this.owner.scheduleAckFlush(this, a.atMs)
      else if (a.mode === 'stand-alone' && this.isUp) {
        this.send([{ kind: 'msgs-ack', body: serializeObject({ _: 'msgs_ack', msg_ids: a.ids }) }]).catch(() => undefined)
      }
    }
  }

  /**
   * The stall watch (policy/session/stall-watch.ts). Whoever registers a sent request as owed (the
   * outbox, the service requests) reports 'sent-request' after registering it, so a packet
   * handled in between cannot disarm the watch with the request unseen; 'stalled' reopens
   * the connection.
   */
  stallEvent(event: StallEvent): void {
    const { state, actions } = stepStall(this.stall, event, this.env.clock.now(), this.owner.stallConfig)
    this.stall = state
    for (const a of actions) {
      if (a.type === 'schedule') this.owner.scheduleStallCheck(this, a.atMs)
      else if (a.type === 'ping') {
        this.send([{ kind: 'ping', body: serializeObject({ _: 'ping', ping_id: randomLong(this.env.random) }) }]).catch(() => undefined)
      } else {
        const conn = this.conn
        if (!conn) continue
        const err = new TransportError('STALLED', `nothing received for ${this.owner.stallConfig.stalledAfterMs} ms with answers owed`)
        this.conn = null
        conn.close(err)
        this.owner.onDown(this, err)
      }
    }
  }

  private async sendNow(items: Outgoing[]): Promise<Sent[]> {
    const conn = this.conn
    if (!conn?.isOpen) throw new TransportError('CLOSED', 'lane connection is down')
    // One session for the whole packet, even if a bad_msg 32/33 resets it meanwhile.
    const session = this.session
    const now = this.owner.serverNowS()
    const decision = decideSalt(this.salts, now)
    if (decision.refresh === 'get-future-salts') {
      this.salts = stepSalts(this.salts, { type: 'future-salts-requested' }, now)
      this.owner.onSaltRefresh(this, decision.num)
    }
    const salt = decision.salt ?? 0n
    const { state, actions } = stepAcks(this.acks, { type: 'outgoing' }, this.env.clock.now())
    this.acks = state
    const all: Outgoing[] = [...items]
    for (const a of actions) if (a.type === 'send-acks') all.push({ kind: 'msgs-ack', body: serializeObject({ _: 'msgs_ack', msg_ids: a.ids }) })
    const messages: OutMessage[] = []
    const taken = (id: bigint): boolean => this.owner.msgIdInUse(this, id)
    for (const item of all) {
      const numbered = session.number(item.kind, new Uint8Array(0), now, taken)
      numbered.body = typeof item.body === 'function' ? await item.body(numbered.msgId) : item.body
      messages.push(numbered)
    }
    const batch = messages.length > 1 && messages.length <= CONTAINER_MAX && messages.every((m) => m.body.length < CONTAINER_MAX_BODY)
    const sent: Sent[] = []
    if (batch) {
      const container = serializeObject({
        _: 'msg_container',
        messages: messages.map((m) => ({ msg_id: m.msgId, seqno: m.seqno, bytes: m.body.length, body: rawOf(m.body) })),
      })
      const outer = session.number('msg-container', container, now, taken)
      conn.send(await this.keys.usePrepared(this.key, (k) => session.seal(k, salt, outer)))
      for (const m of messages.slice(0, items.length)) sent.push({ msgId: m.msgId, containerId: outer.msgId, sessionId: session.sessionId })
    } else {
      for (const [i, m] of messages.entries()) {
        conn.send(await this.keys.usePrepared(this.key, (k) => session.seal(k, salt, m)))
        if (i < items.length) sent.push({ msgId: m.msgId, containerId: null, sessionId: session.sessionId })
      }
    }
    return sent
  }

  private onPacket(conn: Connection, packet: Uint8Array): void {
    this.recvChain = this.recvChain.then(async () => {
      if (this.conn !== conn) return
      try {
        // the packet is the session's it was opened for, even if a message in it (bad_msg
        // 32/33) replaces the lane's session halfway through (issue #18 fuzzer)
        const session = this.session
        const msg = await this.keys.usePrepared(this.key, (k) => session.open(k, packet))
        // an authentic packet, not a socket that merely opened, ends a run of failed
        // reconnects: a server answering every packet with -429 must see the backoff grow
        this.reconnects = 0
        this.unpack(msg, session)
        this.stallEvent({ type: 'received', owed: this.owner.owesAnswers(this) })
      } catch (err) {
        // encryption.md §4: use nothing from a bad packet, close, reconnect.
        const e = err instanceof PacketError ? err : new PacketError(codeOf(err), String(err instanceof Error ? err.message : err))
        if (this.conn !== conn) return
        this.conn = null
        conn.close(new TransportError('BAD_PACKET', e.message))
        this.owner.onDown(this, e)
      }
    })
  }

  private unpack(top: InMessage, session: MtSession): void {
    const messages: { msgId: bigint; seqno: number; obj: TlObject }[] = []
    const obj = decodeObject(new TlReader(top.body))
    if (obj._ === 'msg_container') {
      // mtproto-tl.md §4: containers cannot be nested; an inner one is dropped unread
      for (const m of obj.messages) if (m.body._ !== 'msg_container') messages.push({ msgId: m.msg_id, seqno: m.seqno, obj: m.body })
    } else {
      messages.push({ msgId: top.msgId, seqno: top.seqno, obj })
    }
    const serverNow = this.owner.serverNowS()
    // Before anything of the packet is used: a message taken whatever its time (it may move
    // the clock) must still carry a plausible one (session/msg-id clockPlausibility).
    for (const m of messages) {
      if (!this.timeExempt(m.obj, session)) continue
      const verdict = clockPlausibility(serverTimeFromMsgId(m.msgId), serverNow)
      if (verdict !== 'plausible') throw new PacketError('BAD_MSG_TIME', `${m.obj._} msg_id time: ${verdict}`)
    }
    for (const m of messages) {
      const timing = this.timeExempt(m.obj, session) ? 'time-exempt' : 'windowed'
      const verdict = session.received.check({ sessionId: session.sessionId, msgId: m.msgId, timing }, serverNow)
      if (verdict.verdict === 'reject') throw new PacketError('BAD_MSG_ID', verdict.reason)
      if (verdict.verdict === 'ignore') continue
      // acks belong to their session: the old one's are not sent in its successor
      if (session === this.session) this.ackEvent({ type: 'received', msgId: m.msgId, contentRelated: (m.seqno & 1) === 1 })
      this.owner.onMessage(this, m)
    }
  }

  /**
   * Messages processed whatever their msg_id time (encryption.md §4.9): the service
   * notices that fix the clock, and answers to requests this session really sent — an
   * authentic answer to our own request is how a clock that drifted out of the window is
   * found out (dispatch resyncs from it), so it must not be dropped for being off. Off
   * by more than is plausible, though, it drops the whole packet (unpack).
   */
  private timeExempt(obj: TlObject, session: MtSession): boolean {
    switch (obj._) {
      case 'bad_server_salt':
      case 'bad_msg_notification':
        return true
      case 'rpc_result':
        return session.sentRecently(obj.req_msg_id)
      case 'pong':
        return session.sentRecently(obj.msg_id)
      default:
        return false
    }
  }
}

/** A boxed body carried opaquely inside a container (its id is its first word). */
export function rawOf(body: Uint8Array): TlRaw {
  const id = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true)
  return { _: 'raw', id, bytes: body }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'MALFORMED'
}
