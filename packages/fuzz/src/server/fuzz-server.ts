/**
 * The fuzzer's server (issue #18): an honest MTProto 2.0 server on node:crypto — handshakes,
 * sessions, new_session_created, bad_msg 16/17 and bad_server_salt, binds, containers and a
 * few API methods — whose every outgoing layer passes through the armed case's hooks.
 * Nothing here checks the engine strictly; the case's oracles judge the engine.
 */
import { nodeMtproto as kit } from '@pfs-web/server'
import { TlReader, decodeObject, deserializeObject, serializeObject, type TlObject } from '@pfs-web/tl'
import type { ServerEnd, ServerSide } from '../fuzz-socket.ts'
import type { Prng } from '../prng.ts'
import { HandshakeSide } from './handshake-side.ts'
import type { Envelope, OutMessage, ServerHooks } from './hooks.ts'
import { Link } from './link.ts'
import type { FuzzRsaKey } from './rsa.ts'

interface ServerKey {
  kind: 'perm' | 'temp'
  key: Buffer
  id: bigint
  salt: bigint
  bound: boolean
}

/** encryption.md §4.9 / §6: the client msg_id window the server applies. */
const FUTURE_S = 30
const PAST_S = 300
const THIS_DC = 2

interface Session {
  /** Content-related messages sent, for seq_no. */
  content: number
  lastMsgId: bigint
}

export interface ServerCounters {
  handshakes: number
  binds: number
  calls: number
  transportErrors: number
}

export class FuzzServer implements ServerSide {
  hooks: ServerHooks = {}
  /** Seconds the server's clock is ahead of the virtual wall clock. */
  skewS = 0
  readonly keys = new Map<bigint, ServerKey>()
  readonly counters: ServerCounters = { handshakes: 0, binds: 0, calls: 0, transportErrors: 0 }
  /** Set to follow the traffic: one line per packet each way (`pnpm fuzz --case K --trace`). */
  trace: ((line: string) => void) | null = null
  /** Exceptions the server itself threw (a hook built something it cannot serialize). */
  readonly errors: unknown[] = []
  private readonly handshakes: HandshakeSide
  private readonly sessions = new Map<string, Session>()
  /** msg_ids of unencrypted answers (the handshake's). */
  private readonly plain: Session = { content: 0, lastMsgId: 0n }
  private readonly links = new Set<Link>()

  constructor(
    rsa: FuzzRsaKey,
    private readonly rng: Prng,
    private readonly wallNowMs: () => number,
  ) {
    this.handshakes = new HandshakeSide(rsa, rng, () => this.now())
  }

  /** Server unix time, seconds. */
  now(): number {
    return this.wallNowMs() / 1000 + this.skewS
  }

  /** Every auth key the server made (for the leak oracle). */
  keyBytes(): Uint8Array[] {
    return [...this.keys.values()].map((k) => k.key)
  }

  accept(url: string, end: ServerEnd): { onMessage(bytes: Uint8Array): void; onClose(): void } {
    const link = new Link(url, end, this.rng, () => this.hooks, (l, p) => this.onPacket(l, p))
    this.links.add(link)
    this.trace?.('a socket opened')
    const receive = (b: Uint8Array): void => {
      try {
        link.receive(b)
      } catch (err) {
        // a mutation that cannot be sent is the fuzzer's bug, reported apart from the engine's
        this.errors.push(err)
        link.close()
      }
    }
    return { onMessage: receive, onClose: () => void this.links.delete(link) }
  }

  /** Closes every link (the engine reconnects). */
  dropAll(): void {
    for (const l of this.links) l.close()
  }

  private onPacket(link: Link, payload: Uint8Array): void {
    if (payload.length < 8) return link.close()
    const view = new DataView(payload.buffer, payload.byteOffset, payload.length)
    const keyId = view.getBigInt64(0, true)
    if (keyId === 0n) return this.onPlain(link, payload)
    link.kind = 'traffic'
    const key = this.keys.get(keyId)
    if (key === undefined) return this.transportError(link, -404)
    let msg: kit.PlainMessage
    try {
      msg = kit.openPacket(key.key, payload)
    } catch {
      this.transportError(link, -404)
      return link.close()
    }
    const sessionKey = `${keyId}:${msg.sessionId}`
    const out: OutMessage[] = []
    let session = this.sessions.get(sessionKey)
    if (session === undefined) {
      session = { content: 0, lastMsgId: 0n }
      this.sessions.set(sessionKey, session)
      out.push({ body: { _: 'new_session_created', first_msg_id: msg.msgId, unique_id: this.rng.long(), server_salt: key.salt }, content: true, answer: false })
    }
    const now = this.now()
    const idTime = Number(msg.msgId >> 32n)
    const timeError = idTime > now + FUTURE_S ? 17 : idTime < now - PAST_S ? 16 : (msg.msgId & 3n) !== 0n ? 18 : null
    if (timeError !== null) {
      out.push({ body: { _: 'bad_msg_notification', bad_msg_id: msg.msgId, bad_msg_seqno: msg.seqno, error_code: timeError }, content: false, answer: true })
    } else if (msg.salt !== key.salt) {
      out.push({ body: { _: 'bad_server_salt', bad_msg_id: msg.msgId, bad_msg_seqno: msg.seqno, error_code: 48, new_server_salt: key.salt }, content: false, answer: true })
    } else {
      let body: TlObject
      try {
        body = deserializeObject(msg.body)
      } catch {
        this.transportError(link, -404)
        return link.close()
      }
      const inner = body._ === 'msg_container' ? body.messages.map((m) => ({ msgId: m.msg_id, body: m.body })) : [{ msgId: msg.msgId, body }]
      for (const m of inner) this.handle(key, m.msgId, m.body, out)
      this.trace?.(`in  ${key.kind} ${hex(key.id)} session ${hex(msg.sessionId)}: ${inner.map((m) => `${m.body._}#${idLabel(m.msgId)}`).join(', ')}`)
    }
    if (out.length > 0) this.send(link, key, msg.sessionId, session, out)
  }

  private handle(key: ServerKey, msgId: bigint, body: TlObject, out: OutMessage[]): void {
    const answer = (result: TlObject): void => void out.push({ body: { _: 'rpc_result', req_msg_id: msgId, result }, content: true, answer: true })
    switch (body._) {
      case 'msgs_ack':
      case 'http_wait':
        return
      case 'ping':
      case 'ping_delay_disconnect':
        out.push({ body: { _: 'pong', msg_id: msgId, ping_id: body.ping_id }, content: false, answer: true })
        return
      case 'get_future_salts': {
        const now = Math.floor(this.now())
        const salts = Array.from({ length: Math.min(64, Math.max(1, body.num)) }, (_, i) => ({ _: 'future_salt' as const, valid_since: now - 60 + i * 3600, valid_until: now + (i + 1) * 3600, salt: key.salt }))
        out.push({ body: { _: 'future_salts', req_msg_id: msgId, now, salts }, content: false, answer: true })
        return
      }
      case 'destroy_session':
        out.push({ body: { _: 'destroy_session_none', session_id: body.session_id }, content: false, answer: true })
        return
      case 'auth.bindTempAuthKey': {
        this.counters.binds++
        key.bound = true
        const result = this.hooks.bind?.({ _: 'boolTrue' }) ?? { _: 'boolTrue' }
        if (result !== 'drop') answer(result)
        return
      }
      default:
        this.counters.calls++
        answer(this.api(unwrap(body)))
    }
  }

  private api(query: TlObject): TlObject {
    switch (query._) {
      case 'help.getConfig':
        return kit.buildConfig(this.now(), THIS_DC, false, [{ id: THIS_DC, host: '127.0.0.1', port: 443 }])
      case 'help.getNearestDc':
        return { _: 'nearestDc', country: 'ZZ', this_dc: THIS_DC, nearest_dc: THIS_DC }
      default:
        return { _: 'rpc_error', error_code: 400, error_message: 'METHOD_INVALID' }
    }
  }

  /** Numbers, packs, seals, frames and sends one packet, each layer through the hooks. */
  private send(link: Link, key: ServerKey, sessionId: bigint, session: Session, messages: OutMessage[]): void {
    const items = this.hooks.messages?.(messages, { next: (answer) => this.nextMsgId(session, answer) }) ?? messages
    if (items.length === 0) return
    const numbered = items.map((m) => {
      const bytes = m.body instanceof Uint8Array ? m.body : serializeObject(m.body)
      return {
        msgId: m.msgId ?? this.nextMsgId(session, m.answer),
        seqno: m.seqno ?? (m.content ? 2 * session.content++ + 1 : 2 * session.content),
        bytes: this.hooks.body?.(bytes) ?? bytes,
      }
    })
    const single = numbered.length === 1 ? numbered[0] : undefined
    const top = single ?? {
      msgId: this.nextMsgId(session, false),
      seqno: 2 * session.content,
      bytes: serializeObject({
        _: 'msg_container',
        messages: numbered.map((m) => ({ msg_id: m.msgId, seqno: m.seqno, bytes: m.bytes.length, body: { _: 'raw', id: new DataView(m.bytes.buffer, m.bytes.byteOffset).getUint32(0, true), bytes: m.bytes } })),
      }),
    }
    const honest: Envelope = { salt: key.salt, sessionId, msgId: top.msgId, seqno: top.seqno, body: top.bytes, lengthField: top.bytes.length, padding: 12 + ((16 - ((32 + top.bytes.length + 12) % 16)) % 16) }
    const envelope = this.hooks.envelope?.(honest) ?? honest
    this.trace?.(`out ${key.kind} ${hex(key.id)} session ${hex(sessionId)} #${idLabel(envelope.msgId)}: ${items.map((m) => (m.body instanceof Uint8Array ? `${m.body.length} bytes` : describe(m.body))).join(', ')}`)
    const packet = seal(key, envelope, this.rng)
    link.sendPacket(this.hooks.packet?.(packet) ?? packet)
  }

  private onPlain(link: Link, payload: Uint8Array): void {
    link.kind = 'handshake'
    let body: TlObject
    try {
      body = deserializeObject(kit.openPlain(payload).body)
    } catch {
      return this.transportError(link, -404)
    }
    const result = this.handshakes.handle(body, this.hooks.handshake, this.hooks.handshakeKind)
    this.trace?.(`in  handshake: ${body._}${'error' in result ? ` → -404 (${result.error})` : ` → ${result.answer?._ ?? 'nothing'}`}`)
    if ('error' in result) return this.transportError(link, -404)
    if (result.made) {
      const m = result.made
      this.counters.handshakes++
      this.keys.set(m.id, { kind: m.kind, key: m.key, id: m.id, salt: m.firstSalt, bound: false })
    }
    if (result.answer === null) return
    const packet = kit.sealPlain(this.nextMsgId(this.plain, true), serializeObject(result.answer))
    link.sendPacket(this.hooks.handshake?.packet?.(packet) ?? packet)
  }

  private transportError(link: Link, code: number): void {
    this.counters.transportErrors++
    link.sendTransportError(code)
  }

  /**
   * Server msg_ids: time-based, increasing within a session, ≡ 1 mod 4 for answers and ≡ 3
   * otherwise (encryption.md §5). After the server's clock moves back, a session's ids stay
   * ahead of it; a new session's follow the clock again.
   */
  private nextMsgId(session: Session, answer: boolean): bigint {
    const t = Math.max(1, this.now())
    let id = (BigInt(Math.floor(t)) << 32n) | BigInt(Math.floor((t % 1) * 2 ** 32))
    if (id <= session.lastMsgId) id = session.lastMsgId + 1n
    id = (id & ~3n) | (answer ? 1n : 3n)
    if (id <= session.lastMsgId) id += 4n
    session.lastMsgId = id
    return id
  }
}

/** invokeWithLayer / initConnection / invokeWithoutUpdates / invokeAfterMsg(s) in any order. */
function unwrap(body: TlObject): TlObject {
  let q = body
  for (let i = 0; i < 8; i++) {
    if (q._ === 'invokeWithLayer' || q._ === 'initConnection' || q._ === 'invokeWithoutUpdates' || q._ === 'invokeAfterMsg' || q._ === 'invokeAfterMsgs') q = q.query
    else break
  }
  return q._ === 'raw' ? decodeObject(new TlReader(q.bytes)) : q
}

/** Seals an envelope as given (x = 8), lies included: the length field and the padding are the envelope's. */
function seal(key: ServerKey, e: Envelope, rng: Prng): Uint8Array {
  const plain = Buffer.alloc(32 + e.body.length + e.padding)
  plain.writeBigInt64LE(BigInt.asIntN(64, e.salt), 0)
  plain.writeBigInt64LE(BigInt.asIntN(64, e.sessionId), 8)
  plain.writeBigInt64LE(BigInt.asIntN(64, e.msgId), 16)
  plain.writeInt32LE(e.seqno | 0, 24)
  plain.writeUInt32LE(e.lengthField >>> 0, 28)
  plain.set(e.body, 32)
  plain.set(rng.bytes(e.padding), 32 + e.body.length)
  const aligned = plain.length % 16 === 0 ? plain : Buffer.concat([plain, Buffer.from(rng.bytes(16 - (plain.length % 16)))])
  const msgKey = kit.msgKeyV2(key.key, aligned, 8)
  const { key: aesKey, iv } = kit.kdfV2(key.key, msgKey, 8)
  return Buffer.concat([kit.longToBytes(key.id), msgKey, kit.igeEncrypt(aligned, aesKey, iv)])
}

const hex = (v: bigint): string => BigInt.asUintN(64, v).toString(16)
/** A msg_id's time part and low bits, for traces. */
const idLabel = (id: bigint): string => `${id >> 32n}.${(id & 0xffffffffn).toString(16)}`

function describe(o: TlObject): string {
  switch (o._) {
    case 'rpc_result':
      return `rpc_result(${o.req_msg_id >> 32n}: ${o.result._})`
    case 'bad_msg_notification':
      return `bad_msg ${o.error_code}`
    default:
      return o._
  }
}
