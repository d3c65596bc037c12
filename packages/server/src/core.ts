import { deserializeObject, gzipUnpack, serializeObject, type TlObject } from '@pfs-web/tl'
import { handleApiCall, type ApiDeps } from './api/api-handler.ts'
import type { Clock } from './clock.ts'
import { ServerTransportError } from './errors.ts'
import type { Faults } from './faults.ts'
import type { HandshakeServer, NewAuthKey } from './handshake/handshake.ts'
import type { Logger } from './logger.ts'
import type { AuthKey, KeyStore } from './pfs/key-store.ts'
import type { ConnectionHandle } from './session/connection-handle.ts'
import { openPacket, openPlain, sealPacket, sealPlain, type PlainMessage } from './session/envelope.ts'
import { checkClientMsgId, type MsgIdSource } from './session/msg-id.ts'
import { packOutgoing, type Outgoing } from './session/outbox.ts'
import { Session } from './session/session.ts'
import type { StatsRecorder } from './stats.ts'

export interface CoreDeps {
  clock: Clock
  keys: KeyStore
  handshake: HandshakeServer
  faults: Faults
  stats: StatsRecorder
  msgIds: MsgIdSource
  logger: Logger
  api: ApiDeps
  random: (n: number) => Uint8Array
  sleep(ms: number): Promise<void>
  onKeyCreated(created: NewAuthKey): void
  onPacketCalls(calls: readonly TlObject[]): void
  onKeyConnection(use: KeyConnectionUse): void
}

/** A connection (ConnectionHandle id) made an auth key, or carried a packet under one. */
export interface KeyConnectionUse {
  connection: number
  keyId: bigint
  kind: 'perm' | 'temp'
  event: 'made' | 'packet'
}

const MAX_CONTAINER = 1024
const MAX_ID_LIST = 8192

interface Incoming {
  conn: ConnectionHandle
  key: AuthKey
  session: Session
  out: Outgoing[]
  now: number
  stop: boolean
  /** API calls this packet carried, in the order they ran (stats: apiCallsPerPacket). */
  calls: TlObject[]
}

/**
 * The MTProto server behind every transport: the unencrypted handshake path, then the
 * encrypted path with the receive checks of encryption.md §4 (server) and the service
 * messages of mtproto-tl.md §4. Packets of one connection are handled one at a time.
 */
export class MtprotoCore {
  private readonly sessions = new Map<string, Session>()
  private readonly sessionConn = new Map<string, ConnectionHandle>()

  constructor(private readonly deps: CoreDeps) {}

  async handlePayload(conn: ConnectionHandle, payload: Buffer): Promise<void> {
    if (payload.length < 8) throw new ServerTransportError('PAYLOAD_TOO_SHORT')
    const authKeyId = payload.readBigInt64LE(0)
    if (authKeyId === 0n) return this.handlePlain(conn, payload)
    const now = this.deps.clock.now()
    const forced = this.deps.faults.transportErrorNow(now)
    if (forced !== null) return this.transportError(conn, forced)
    const key = this.deps.keys.get(authKeyId, now)
    if (key === undefined) {
      if (this.deps.keys.expiredRecently(authKeyId)) this.deps.stats.expiredKeyPacket()
      return this.transportError(conn, -404)
    }
    let msg: PlainMessage
    try {
      msg = openPacket(key.key, payload)
    } catch {
      this.transportError(conn, -404)
      conn.close()
      return
    }
    key.messages++
    this.deps.onKeyConnection({ connection: conn.id, keyId: authKeyId, kind: key.kind, event: 'packet' })
    const sessionKey = `${authKeyId}:${msg.sessionId}`
    let session = this.sessions.get(sessionKey)
    const isNew = session === undefined
    session ??= new Session(authKeyId, msg.sessionId, Buffer.from(this.deps.random(8)).readBigInt64LE(0), this.deps.msgIds.series())
    const ctx: Incoming = { conn, key, session, out: [], now, stop: false, calls: [] }
    await this.handleTop(ctx, msg, isNew, sessionKey)
    this.deps.stats.packetCalls(ctx.calls.length)
    if (ctx.calls.length > 0) this.deps.onPacketCalls(ctx.calls)
    if (!ctx.stop) this.flush(ctx)
  }

  /** Sends `update` (default updateShort(updateConfig)) to every live session on a bound temp key. */
  pushUpdates(update?: TlObject): number {
    const now = this.deps.clock.now()
    let sent = 0
    for (const [sessionKey, conn] of this.sessionConn) {
      const session = this.sessions.get(sessionKey)
      if (conn.closed || session === undefined) continue
      const key = this.deps.keys.get(session.authKeyId, now)
      if (key === undefined || key.kind !== 'temp' || key.boundTo === null) continue
      const body: TlObject = update ?? { _: 'updateShort', update: { _: 'updateConfig' }, date: Math.floor(now) }
      this.flush({ conn, key, session, out: [{ body, content: true, answer: false }], now, stop: false, calls: [] })
      sent++
    }
    return sent
  }

  /** Restart fault: every session is forgotten. */
  clear(): void {
    this.sessions.clear()
    this.sessionConn.clear()
  }

  private async handlePlain(conn: ConnectionHandle, payload: Buffer): Promise<void> {
    let body: TlObject
    try {
      body = deserializeObject(openPlain(payload).body)
    } catch {
      this.deps.stats.handshakeFailed('UNPARSABLE')
      return this.transportError(conn, -404)
    }
    const delay = this.deps.faults.state.handshakeDelayMs
    if (delay > 0) await this.deps.sleep(delay)
    const result = this.deps.handshake.handle(body, conn.mediaOnly === true)
    if ('error' in result) {
      this.deps.stats.handshakeFailed(result.error.code)
      return this.transportError(conn, result.error.code === 'DC_INVALID' ? -444 : -404)
    }
    if (result.created !== undefined) {
      this.deps.onKeyCreated(result.created)
      this.deps.onKeyConnection({ connection: conn.id, keyId: result.created.id, kind: result.created.kind, event: 'made' })
      this.deps.stats.handshake(result.created.kind, result.created.dc.id, result.created.form)
    }
    if (this.deps.faults.takeDrop(result.step)) return conn.close()
    const now = this.deps.clock.now()
    conn.send(sealPlain(this.deps.msgIds.next(now, true), serializeObject(result.answer)))
  }

  private async handleTop(ctx: Incoming, msg: PlainMessage, isNew: boolean, sessionKey: string): Promise<void> {
    const { key, session, now } = ctx
    const idError = checkClientMsgId(msg.msgId, now)
    if (idError !== null) return this.badMsg(ctx, msg.msgId, msg.seqno, idError)
    if (!key.salts.isValid(msg.salt, now)) {
      this.deps.stats.badMsg(48)
      ctx.out.push({
        body: {
          _: 'bad_server_salt',
          bad_msg_id: msg.msgId,
          bad_msg_seqno: msg.seqno,
          error_code: 48,
          new_server_salt: key.salts.current(now),
        },
        content: false,
        answer: true,
      })
      return
    }
    if (isNew) {
      this.sessions.set(sessionKey, session)
      ctx.out.push({
        body: { _: 'new_session_created', first_msg_id: msg.msgId, unique_id: session.uniqueId, server_salt: key.salts.current(now) },
        content: true,
        answer: false,
      })
    }
    this.sessionConn.set(sessionKey, ctx.conn)
    let body: TlObject
    try {
      body = deserializeObject(msg.body)
    } catch {
      this.transportError(ctx.conn, -404)
      ctx.conn.close()
      ctx.stop = true
      return
    }
    if (body._ !== 'msg_container') {
      if (this.markSeen(ctx, msg.msgId, msg.seqno)) await this.dispatch(ctx, body, msg.msgId, msg.seqno)
      return
    }
    const inner = body.messages
    // mtproto-tl.md §4 and encryption.md §5: inner ids below the container's, no nesting,
    // the container not content-related and numbered after its contents
    const valid =
      inner.length <= MAX_CONTAINER &&
      inner.every((m) => m.msg_id < msg.msgId && m.seqno <= msg.seqno && m.body._ !== 'msg_container') &&
      msg.seqno % 2 === 0
    if (!valid) return this.badMsg(ctx, msg.msgId, msg.seqno, 64)
    if (session.wasSeen(msg.msgId)) return this.badMsg(ctx, msg.msgId, msg.seqno, 19)
    session.markSeen(msg.msgId)
    for (const m of [...inner].sort((a, b) => (a.msg_id < b.msg_id ? -1 : 1))) {
      if (ctx.stop) return
      // each inner id is a msg_id of its own (encryption.md §6): its time and form are checked too
      const innerIdError = checkClientMsgId(m.msg_id, now)
      if (innerIdError !== null) {
        this.badMsg(ctx, m.msg_id, m.seqno, innerIdError)
        continue
      }
      if (this.markSeen(ctx, m.msg_id, m.seqno)) await this.dispatch(ctx, m.body, m.msg_id, m.seqno)
    }
  }

  /** False for a seq_no out of order (32/33), a duplicate (its stored answer is sent again) or an id below the window (20). */
  private markSeen(ctx: Incoming, msgId: bigint, seqno: number): boolean {
    const seen = ctx.session.markSeen(msgId, seqno)
    if (seen === 'new') return true
    if (seen !== 'duplicate') {
      this.badMsg(ctx, msgId, seqno, seen === 'too-old' ? 20 : seen)
      return false
    }
    const stored = ctx.session.storedAnswer(msgId)
    if (stored !== undefined) {
      ctx.out.push({ body: deserializeObject(stored), content: true, answer: true })
    }
    return false
  }

  private async dispatch(ctx: Incoming, body: TlObject, msgId: bigint, seqno: number): Promise<void> {
    const reply = (b: TlObject, content = false): void => {
      ctx.out.push({ body: b, content, answer: true })
    }
    switch (body._) {
      case 'msgs_ack':
        // Acks need no answer; the server keeps no resend queue that they could shorten.
        return
      case 'ping':
        return reply({ _: 'pong', msg_id: msgId, ping_id: body.ping_id })
      case 'ping_delay_disconnect':
        ctx.conn.closeAfter(body.disconnect_delay * 1000)
        return reply({ _: 'pong', msg_id: msgId, ping_id: body.ping_id })
      case 'get_future_salts': {
        const num = Math.min(64, Math.max(1, body.num))
        const salts = ctx.key.salts.upcoming(num, ctx.now)
        return reply({ _: 'future_salts', req_msg_id: msgId, now: Math.floor(ctx.now), salts })
      }
      case 'msgs_state_req': {
        const info = Buffer.from(body.msg_ids.slice(0, MAX_ID_LIST).map((id) => this.msgState(ctx, id)))
        return reply({ _: 'msgs_state_info', req_msg_id: msgId, info })
      }
      case 'msg_resend_req':
        for (const id of body.msg_ids.slice(0, MAX_ID_LIST)) {
          const stored = ctx.session.storedAnswer(id)
          if (stored !== undefined) reply(deserializeObject(stored), true)
        }
        return
      case 'destroy_session': {
        const target = `${ctx.key.id}:${body.session_id}`
        const existed = body.session_id !== ctx.session.sessionId && this.sessions.delete(target)
        this.sessionConn.delete(target)
        return reply({ _: existed ? 'destroy_session_ok' : 'destroy_session_none', session_id: body.session_id })
      }
      case 'rpc_drop_answer':
        return this.answerRpc(ctx, msgId, { _: 'rpc_answer_unknown' })
      case 'http_wait':
        return
      case 'gzip_packed': {
        let inner: TlObject
        try {
          inner = deserializeObject(await gzipUnpack(body.packed_data))
        } catch {
          return this.answerRpc(ctx, msgId, { _: 'rpc_error', error_code: 400, error_message: 'INPUT_FETCH_ERROR' })
        }
        return this.dispatch(ctx, inner, msgId, seqno)
      }
      default: {
        if (seqno % 2 === 0) return this.badMsg(ctx, msgId, seqno, 35)
        ctx.calls.push(body)
        const answer = await handleApiCall(body, { key: ctx.key, sessionId: ctx.session.sessionId, msgId, now: ctx.now }, this.deps.api)
        if ('dropConnection' in answer) {
          ctx.stop = true
          ctx.conn.close()
          return
        }
        return this.answerRpc(ctx, msgId, answer.result)
      }
    }
  }

  private answerRpc(ctx: Incoming, reqMsgId: bigint, result: TlObject): void {
    const body: TlObject = { _: 'rpc_result', req_msg_id: reqMsgId, result }
    ctx.session.storeAnswer(reqMsgId, Buffer.from(serializeObject(body)))
    ctx.out.push({ body, content: true, answer: true })
  }

  /** msgs_state_info byte (mtproto-tl.md §4): 4 received (+32 answered), 1 unknown. */
  private msgState(ctx: Incoming, id: bigint): number {
    if (ctx.session.wasSeen(id)) return 4 + (ctx.session.hasAnswer(id) ? 32 : 0)
    const top = ctx.session.highestSeen()
    if (top !== null && id > top) return 3
    return 1
  }

  private badMsg(ctx: Incoming, msgId: bigint, seqno: number, code: number): void {
    this.deps.stats.badMsg(code)
    ctx.out.push({
      body: { _: 'bad_msg_notification', bad_msg_id: msgId, bad_msg_seqno: seqno, error_code: code },
      content: false,
      answer: true,
    })
  }

  private flush(ctx: Incoming): void {
    if (ctx.conn.closed) return
    const salt = ctx.key.salts.current(ctx.now)
    for (const packed of packOutgoing(ctx.out, ctx.session, ctx.now)) {
      const sealed = sealPacket(
        ctx.key.key,
        ctx.key.id,
        { salt, sessionId: ctx.session.sessionId, msgId: packed.msgId, seqno: packed.seqno, body: packed.body },
        this.deps.random,
      )
      ctx.conn.send(sealed)
    }
  }

  private transportError(conn: ConnectionHandle, code: number): void {
    this.deps.stats.transportError(code)
    conn.sendTransportError(code)
  }
}
