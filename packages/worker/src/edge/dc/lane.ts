/**
 * A lane is one temp key in use: its connection, its MTProto session, its salts and its
 * pending acks. It starts on the connection the key's handshake ran on and opens a new one
 * only after that one dropped (issue #17). It seals and sends what lane-outbound numbers
 * and packs, and opens what arrives for lane-inbound to check; what the messages mean is
 * decided by dispatch.
 */
import { TransportError } from '@pfs-web/errors'
import { serializeObject } from '@pfs-web/tl/client'
import type { EngineEnv } from '../../env.ts'
import { PacketError } from '../../errors.ts'
import type { KeyHandle, KeyStore } from '../../keys/key-store.ts'
import { NO_ACKS, stepAcks, type AckAction, type AckState } from '../../policy/session/acks.ts'
import { NO_SALT, NO_SALT_STORM, decideSalt, stepSaltStorm, stepSalts, type SaltEvent, type SaltState, type SaltStorm } from '../../policy/session/salts.ts'
import { stepInit, wrapsNext, type InitEvent, type InitState } from '../../policy/session/init-connection.ts'
import { QUIET, stepStall, type StallConfig, type StallEvent, type StallState } from '../../policy/session/stall-watch.ts'
import { Connection, type ConnectionHandlers, type ConnectionPurpose } from '../transport/connection.ts'
import { usableMessages, type Received } from './lane-inbound.ts'
import { numberAndPack, type Outgoing, type Sent } from './lane-outbound.ts'
import { MtSession, randomLong, type InMessage, type Opened } from './mt-session.ts'

export type { Received } from './lane-inbound.ts'
export { rawOf, type Outgoing, type Sent } from './lane-outbound.ts'

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

/** Its fields are written only here: others ask through its methods. */
export class Lane {
  #sessionNow: MtSession
  #conn: Connection | null = null
  #boundNow = false
  /** Whether API calls go wrapped in invokeWithLayer(initConnection(...)) (policy/session/init-connection). */
  #init: InitState = 'needed'
  /**
   * The server said this session's msg_ids run ahead of it (bad_msg 17) while our clock
   * could not be fixed: the next good sync starts a new session, whatever the clock says.
   */
  #renumberOnSync = false
  /** Consecutive failed reconnects, for the backoff. */
  #reconnects = 0
  #salts: SaltState = NO_SALT
  /** Fresh salts from bad_server_salt since the last content-related message. */
  #saltStorm: SaltStorm = NO_SALT_STORM
  #acks: AckState = NO_ACKS
  #stall: StallState = QUIET
  #opening: Promise<void> | null = null
  #closed = false
  /** Sends keep their order; only a large packet's crypto makes one wait (mt-session). */
  readonly #outbound = inOrder()
  #recvChain: Promise<unknown> = Promise.resolve()
  /** Packets waiting on #recvChain (opening or queued behind one that is). */
  #recvQueued = 0

  readonly #env: EngineEnv
  readonly #keys: KeyStore
  readonly #url: string
  readonly #wireDcId: number
  readonly #owner: LaneOwner

  constructor(
    env: EngineEnv,
    keys: KeyStore,
    readonly key: KeyHandle,
    url: string,
    wireDcId: number,
    readonly purpose: ConnectionPurpose,
    owner: LaneOwner,
    initialSalt: bigint,
    /** The handshake's connection, still open unless it dropped meanwhile (then open() makes a new one). */
    conn: Connection,
  ) {
    this.#env = env
    this.#keys = keys
    this.#url = url
    this.#wireDcId = wireDcId
    this.#owner = owner
    this.#sessionNow = new MtSession(env.random)
    this.#salts = stepSalts(this.#salts, { type: 'handshake', salt: initialSalt }, owner.serverNowS())
    if (conn.adopt(this.#handlers(conn))) this.#conn = conn
  }

  get isUp(): boolean {
    return this.#conn?.isOpen ?? false
  }

  get session(): MtSession {
    return this.#sessionNow
  }

  /** Whether the server accepted this key's bind. */
  get bound(): boolean {
    return this.#boundNow
  }

  markBound(): void {
    this.#boundNow = true
  }

  /** bad_msg 17 with a clock that could not be fixed: the next good sync renumbers this session. */
  renumberAtNextSync(): void {
    this.#renumberOnSync = true
  }

  /** Whether a renumbering was asked for since the last sync; asking clears it. */
  takeRenumber(): boolean {
    const r = this.#renumberOnSync
    this.#renumberOnSync = false
    return r
  }

  /** Counts one more failed connection since the last authentic packet; returns the count. */
  connectionFailed(): number {
    return ++this.#reconnects
  }

  /** The network is back: the next failed reconnect waits the first step again. */
  resetBackoff(): void {
    this.#reconnects = 0
  }

  /** Closes the current connection (the lane reopens it through its owner's onDown). */
  closeConnection(err: TransportError): void {
    this.#conn?.close(err)
  }

  /** Opens (or reopens after a drop) the lane's connection; the session survives. */
  open(): Promise<void> {
    if (this.#closed) return Promise.reject(new TransportError('CLOSED', 'lane closed'))
    if (this.isUp) return Promise.resolve()
    this.#opening ??= this.#openNow().finally(() => {
      this.#opening = null
    })
    return this.#opening
  }

  async #openNow(): Promise<void> {
    const old = this.#conn
    this.#conn = null
    old?.close()
    // a new connection owes nothing yet; the resends re-arm the watch
    this.#stall = QUIET
    const conn = new Connection(this.#env, this.#url, this.#wireDcId, this.purpose)
    this.#conn = conn
    await conn.open(this.#handlers(conn))
  }

  #handlers(conn: Connection): ConnectionHandlers {
    return {
      onPacket: (p) => this.#onPacket(conn, p),
      onTransportError: (code) => {
        if (this.#conn === conn) this.#owner.onTransportError(this, code)
      },
      onClose: (err) => {
        if (this.#conn === conn) {
          this.#conn = null
          this.#owner.onDown(this, err)
        }
      },
    }
  }

  /** For good: a closed lane never opens again (its key is being dropped). */
  close(): void {
    this.#closed = true
    const conn = this.#conn
    this.#conn = null
    conn?.close()
  }

  /**
   * bad_msg 32/33 (encryption.md §6: seq_no out of step) → a fresh session on the same
   * key; acks of the old session must not go out in the new one.
   */
  resetSession(): void {
    this.#sessionNow = new MtSession(this.#env.random)
    this.ackEvent({ type: 'session-reset' })
  }

  /**
   * Throws PacketError('SALT_STORM') past session/salts SALT_STORM_MAX fresh salts in a row; the salt is
   * taken first, so the resend after the reconnect carries the newest one.
   */
  salt(event: SaltEvent): void {
    this.#salts = stepSalts(this.#salts, event, this.#owner.serverNowS())
    if (event.type !== 'bad-server-salt') return
    const { storm, broken } = stepSaltStorm(this.#saltStorm, event)
    this.#saltStorm = storm
    if (broken) throw new PacketError('SALT_STORM', `${storm.count} new salts in a row`)
  }

  /**
   * Numbers, batches and sends `items` in one packet (a container when more than one, with
   * pending acks piggy-backed). Sends are serialized so msg_ids reach the wire in order.
   * `onNumbered` learns the msg_ids before the packet leaves, so an answer, however soon
   * it comes, finds them recorded; a small packet leaves before send() returns.
   */
  send(items: Outgoing[], onNumbered?: (sent: Sent[]) => void): Promise<Sent[]> {
    return this.#outbound(() => this.#sendNow(items, onNumbered))
  }

  /** invokeWithLayer(initConnection(...)) must prefix the next API call (pfs §1.5). */
  get needsInit(): boolean {
    return wrapsNext(this.#init)
  }

  initEvent(event: InitEvent): void {
    this.#init = stepInit(this.#init, event)
  }

  ackEvent(event: Parameters<typeof stepAcks>[1]): void {
    // every accepted message passes here first; a content-related one is the progress that ends a salt storm
    if (event.type === 'received' && event.contentRelated) this.#saltStorm = stepSaltStorm(this.#saltStorm, { type: 'progress' }).storm
    const { state, actions } = stepAcks(this.#acks, event, this.#env.clock.now())
    this.#acks = state
    this.#runAckActions(actions)
  }

  #runAckActions(actions: AckAction[]): void {
    for (const a of actions) {
      if (a.type === 'schedule') this.#owner.scheduleAckFlush(this, a.atMs)
      else if (a.mode === 'stand-alone' && this.isUp) {
        this.send([acksOf(a.ids)]).catch(() => undefined)
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
    const { state, actions } = stepStall(this.#stall, event, this.#env.clock.now(), this.#owner.stallConfig)
    this.#stall = state
    for (const a of actions) {
      if (a.type === 'schedule') this.#owner.scheduleStallCheck(this, a.atMs)
      else if (a.type === 'ping') {
        this.send([{ kind: 'ping', body: serializeObject({ _: 'ping', ping_id: randomLong(this.#env.random) }) }]).catch(() => undefined)
      } else {
        const conn = this.#conn
        if (!conn) continue
        const err = new TransportError('STALLED', `nothing received for ${this.#owner.stallConfig.stalledAfterMs} ms with answers owed`)
        this.#conn = null
        conn.close(err)
        this.#owner.onDown(this, err)
      }
    }
  }

  #sendNow(items: Outgoing[], onNumbered?: (sent: Sent[]) => void): Sent[] | Promise<Sent[]> {
    const conn = this.#conn
    if (!conn?.isOpen) throw new TransportError('CLOSED', 'lane connection is down')
    // One session for the whole packet, even if a bad_msg 32/33 resets it meanwhile.
    const session = this.#sessionNow
    const now = this.#owner.serverNowS()
    const decision = decideSalt(this.#salts, now)
    if (decision.refresh === 'get-future-salts') {
      this.#salts = stepSalts(this.#salts, { type: 'future-salts-requested' }, now)
      this.#owner.onSaltRefresh(this, decision.num)
    }
    const salt = decision.salt ?? 0n
    const { state, actions } = stepAcks(this.#acks, { type: 'outgoing' }, this.#env.clock.now())
    this.#acks = state
    const all: Outgoing[] = [...items]
    for (const a of actions) if (a.type === 'send-acks') all.push(acksOf(a.ids))
    const { packets, sent } = numberAndPack(all, items.length, session, now, (id) => this.#owner.msgIdInUse(this, id))
    onNumbered?.(sent)
    const sealed = packets.map((p) => this.#keys.usePrepared(this.key, (k) => session.seal(k, salt, p)))
    if (sealed.some((p) => p instanceof Promise)) {
      return Promise.all(sealed).then((ps) => {
        for (const p of ps) conn.send(p)
        return sent
      })
    }
    for (const p of sealed as Uint8Array[]) conn.send(p)
    return sent
  }

  /**
   * Packets are handled in arrival order. A small one with none still opening before it is
   * opened and handled now (issue #17: no promise hop per answer); any other waits its
   * turn behind #recvChain.
   */
  #onPacket(conn: Connection, packet: Uint8Array): void {
    if (this.#recvQueued === 0) {
      if (this.#conn !== conn) return
      // the packet is the session's it was opened for, even if a message in it (bad_msg
      // 32/33) replaces the lane's session halfway through (issue #18 fuzzer)
      const session = this.#sessionNow
      try {
        const opened = this.#keys.usePrepared(this.key, (k) => session.open(k, packet))
        if (opened instanceof Promise) {
          // the step may never run (the connection replaced before its turn): this packet's
          // failure is then nobody's to report, and must not surface as unhandled
          opened.catch(() => undefined)
          this.#queue(conn, () => opened.then((msg) => this.#handle(conn, session, msg)))
        } else {
          this.#handle(conn, session, opened)
        }
      } catch (err) {
        this.#badPacket(conn, err)
      }
      return
    }
    this.#queue(conn, async () => {
      const session = this.#sessionNow
      this.#handle(conn, session, await this.#keys.usePrepared(this.key, (k) => session.open(k, packet)))
    })
  }

  #queue(conn: Connection, step: () => Promise<void>): void {
    this.#recvQueued++
    this.#recvChain = this.#recvChain
      .then(() => (this.#conn === conn ? step() : undefined))
      .catch((err: unknown) => this.#badPacket(conn, err))
      .finally(() => this.#recvQueued--)
  }

  #handle(conn: Connection, session: MtSession, msg: Opened): void {
    if (this.#conn !== conn) return
    // an authentic packet, not a socket that merely opened, ends a run of failed
    // reconnects: a server answering every packet with -429 must see the backoff grow
    this.#reconnects = 0
    this.#unpack(msg, session)
    this.stallEvent({ type: 'received', owed: this.#owner.owesAnswers(this) })
  }

  /** encryption.md §4: use nothing from a bad packet, close, reconnect. */
  #badPacket(conn: Connection, err: unknown): void {
    const e = err instanceof PacketError ? err : new PacketError(codeOf(err), String(err instanceof Error ? err.message : err))
    if (this.#conn !== conn) return
    this.#conn = null
    conn.close(new TransportError('BAD_PACKET', e.message))
    this.#owner.onDown(this, e)
  }

  #unpack(top: InMessage, session: MtSession): void {
    for (const m of usableMessages(top, session, this.#owner.serverNowS())) {
      // acks belong to their session: the old one's are not sent in its successor
      if (session === this.#sessionNow) this.ackEvent({ type: 'received', msgId: m.msgId, contentRelated: (m.seqno & 1) === 1 })
      this.#owner.onMessage(this, m)
    }
  }
}

/**
 * Runs steps in call order: a step runs at once unless an earlier one is still pending
 * (it returned a promise), then after it. Each call's result or error comes as a promise.
 */
function inOrder(): <T>(step: () => T | Promise<T>) => Promise<T> {
  let tail: Promise<unknown> | null = null
  return async (step) => {
    const r = tail ? tail.then(step) : step()
    if (r instanceof Promise) {
      const t: Promise<unknown> = (tail = r.then(
        () => tail === t && (tail = null),
        () => tail === t && (tail = null),
      ))
    }
    return r
  }
}

function acksOf(ids: bigint[]): Outgoing {
  return { kind: 'msgs-ack', body: serializeObject({ _: 'msgs_ack', msg_ids: ids }) }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'MALFORMED'
}
