import { deserializeObject, gzipUnpack, serializeObject, type TlObject } from '@pfs-web/tl'
import { randomBytes } from 'node:crypto'
import { RpcError, TransportError } from '@pfs-web/errors'
import { igeEncrypt } from '../primitives/aes-ige.ts'
import { longToBytes } from '../primitives/bytes.ts'
import { sha1 } from '../primitives/hash.ts'
import { kdfV1 } from '../primitives/kdf.ts'
import { openPacket, sealPacket } from '../session/envelope.ts'
import { clientMsgId, type ClientAuthKey } from './client-handshake.ts'
import { transportErrorOf, type ClientTransport } from './client-transport.ts'

interface Pending {
  body: TlObject
  resolve(v: TlObject): void
  reject(e: Error): void
}

export interface RawSend {
  body: TlObject
  msgId?: bigint
  seqno?: number
  salt?: bigint
  content?: boolean
}

/**
 * A strict test client session over one auth key: it rejects server messages with an even
 * msg_id or the wrong session, resends after bad_server_salt, and resolves calls by req_msg_id.
 */
export class ClientSession {
  readonly sessionId: bigint = randomBytes(8).readBigInt64LE(0)
  salt: bigint
  private contentSent = 0
  private readonly pending = new Map<bigint, Pending>()
  /** The inner msg_ids of each container sent, by the container's msg_id. */
  private readonly containers = new Map<bigint, bigint[]>()
  /** Every non-rpc_result message the server sent, in order. */
  readonly events: TlObject[] = []
  readonly serverMsgIds: bigint[] = []
  transportErrors: number[] = []
  private inited = false

  constructor(
    readonly transport: ClientTransport,
    readonly key: ClientAuthKey,
    private readonly layer = 227,
  ) {
    this.salt = key.salt
    void this.readLoop()
  }

  /** Sends one message; returns its msg_id. */
  send(raw: RawSend): bigint {
    const content = raw.content ?? true
    const msgId = raw.msgId ?? clientMsgId(this.key.timeOffset)
    const seqno = raw.seqno ?? (content ? this.contentSent++ * 2 + 1 : this.contentSent * 2)
    const body = Buffer.from(serializeObject(raw.body))
    this.transport.send(
      sealPacket(this.key.key, this.key.id, { salt: raw.salt ?? this.salt, sessionId: this.sessionId, msgId, seqno, body }, randomBytes, 0),
    )
    return msgId
  }

  /** Sends a call and waits for its rpc_result; rpc_error rejects with RpcError, -404 with TransportError. */
  call(body: TlObject, raw: Omit<RawSend, 'body'> = {}): Promise<TlObject> {
    return new Promise((resolve, reject) => {
      const msgId = raw.msgId ?? clientMsgId(this.key.timeOffset)
      this.pending.set(msgId, { body, resolve, reject })
      this.send({ ...raw, body, msgId })
    })
  }

  /**
   * Sends calls in one msg_container (each inner field may be overridden to break a rule)
   * and returns each call's answer; a bad_msg naming the container rejects them all.
   */
  container(inner: Omit<RawSend, 'salt' | 'content'>[], outer: { msgId?: bigint; seqno?: number; listOrder?: number[] } = {}): Promise<TlObject>[] {
    const numbered = inner.map((m) => {
      const msgId = m.msgId ?? clientMsgId(this.key.timeOffset)
      const seqno = m.seqno ?? this.contentSent++ * 2 + 1
      return { msg_id: msgId, seqno, bytes: 0, body: m.body }
    })
    // numbered in the given order, listed in `listOrder` (a container need not list by msg_id)
    const messages = numbered.map((m, i) => numbered[outer.listOrder?.[i] ?? i] ?? m)
    const answers = numbered.map((m) => new Promise<TlObject>((resolve, reject) => this.pending.set(m.msg_id, { body: m.body, resolve, reject })))
    const msgId = outer.msgId ?? clientMsgId(this.key.timeOffset)
    this.containers.set(msgId, messages.map((m) => m.msg_id))
    this.send({ body: { _: 'msg_container', messages }, msgId, seqno: outer.seqno ?? this.contentSent * 2, content: false })
    return answers
  }

  /** An API call wrapped in invokeWithLayer(initConnection) the first time. */
  api(query: TlObject): Promise<TlObject> {
    if (this.inited) return this.call(query)
    this.inited = true
    return this.call(wrapInit(this.layer, query))
  }

  /** auth.bindTempAuthKey with a correct v1 inner message, or one broken as `tamper` says. */
  bind(perm: ClientAuthKey, tamper: BindTamper = {}): Promise<TlObject> {
    const msgId = clientMsgId(this.key.timeOffset)
    const nonce = randomBytes(8).readBigInt64LE(0)
    const expiresAt = tamper.expiresAt ?? Math.floor(this.key.createdAt + this.key.expiresIn)
    const inner = serializeObject({
      _: 'bind_auth_key_inner',
      nonce: tamper.innerNonce ?? nonce,
      temp_auth_key_id: tamper.tempKeyId ?? this.key.id,
      perm_auth_key_id: perm.id,
      temp_session_id: tamper.tempSessionId ?? this.sessionId,
      expires_at: expiresAt,
    })
    let encrypted = encryptBindInner(perm, tamper.innerMsgId ?? msgId, inner)
    if (tamper.garbage === true) encrypted = Buffer.concat([encrypted.subarray(0, 24), randomBytes(encrypted.length - 24)])
    this.inited = false
    return this.call(
      { _: 'auth.bindTempAuthKey', perm_auth_key_id: perm.id, nonce, expires_at: expiresAt, encrypted_message: encrypted },
      { msgId },
    )
  }

  close(): void {
    this.transport.close()
  }

  private async readLoop(): Promise<void> {
    for (;;) {
      const payload = await this.transport.receive(600_000).catch(() => null)
      if (payload === null) return this.failAll(new TransportError('CLOSED'))
      const code = transportErrorOf(payload)
      if (code !== null) {
        this.transportErrors.push(code)
        this.failAll(new TransportError(code))
        continue
      }
      const msg = openPacket(this.key.key, payload, 8)
      if (msg.sessionId !== this.sessionId) throw new Error('server message for another session')
      await this.handle(msg.msgId, deserializeObject(msg.body))
    }
  }

  private async handle(msgId: bigint, obj: TlObject): Promise<void> {
    if ((msgId & 1n) !== 1n) throw new Error('server msg_id must be odd')
    this.serverMsgIds.push(msgId)
    if (obj._ === 'msg_container') {
      for (const m of obj.messages) await this.handle(m.msg_id, m.body)
      return
    }
    if (obj._ === 'rpc_result') {
      const p = this.pending.get(obj.req_msg_id)
      if (p === undefined) return
      this.pending.delete(obj.req_msg_id)
      let result = obj.result
      if (result._ === 'gzip_packed') result = deserializeObject(await gzipUnpack(result.packed_data))
      if (result._ === 'rpc_error') p.reject(new RpcError(result.error_code, result.error_message))
      else p.resolve(result)
      return
    }
    this.events.push(obj)
    if (obj._ === 'new_session_created') this.salt = obj.server_salt
    if (obj._ === 'bad_server_salt') {
      this.salt = obj.new_server_salt
      const p = this.pending.get(obj.bad_msg_id)
      if (p !== undefined) {
        this.pending.delete(obj.bad_msg_id)
        void this.call(p.body).then(p.resolve, p.reject)
      }
    }
    if (obj._ === 'bad_msg_notification') {
      for (const id of this.containers.get(obj.bad_msg_id) ?? [obj.bad_msg_id]) {
        const p = this.pending.get(id)
        this.pending.delete(id)
        p?.reject(new TransportError(`BAD_MSG_${obj.error_code}`))
      }
    }
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}

export interface BindTamper {
  innerNonce?: bigint
  tempKeyId?: bigint
  tempSessionId?: bigint
  innerMsgId?: bigint
  expiresAt?: number
  garbage?: boolean
}

export function wrapInit(layer: number, query: TlObject): TlObject {
  return {
    _: 'invokeWithLayer',
    layer,
    query: {
      _: 'initConnection',
      api_id: 1,
      device_model: 'test',
      system_version: 'node',
      app_version: '0.1',
      system_lang_code: 'en',
      lang_pack: '',
      lang_code: 'en',
      query,
    },
  }
}

/** The v1-encrypted bind message (encryption.md §7, client steps 3–7). */
function encryptBindInner(perm: ClientAuthKey, msgId: bigint, inner: Uint8Array): Buffer {
  const head = Buffer.alloc(32)
  randomBytes(16).copy(head, 0)
  head.writeBigInt64LE(msgId, 16)
  head.writeInt32LE(0, 24)
  head.writeInt32LE(inner.length, 28)
  const plain = Buffer.concat([head, inner])
  const msgKey = sha1(plain).subarray(4, 20)
  const padded = Buffer.concat([plain, randomBytes((16 - (plain.length % 16)) % 16)])
  const { key, iv } = kdfV1(perm.key, msgKey, 0)
  return Buffer.concat([longToBytes(perm.id), msgKey, igeEncrypt(padded, key, iv)])
}
