import type { InnerForm } from '@pfs-web/control-client'
import { decodeObject, serializeObject, TlReader, type TlObject, type TlOf } from '@pfs-web/tl'
import type { Clock } from '../clock.ts'
import { igeDecrypt, igeEncrypt } from '../primitives/aes-ige.ts'
import { bigFromBytes, bigToBytes, xorBytes } from '../primitives/bytes.ts'
import { dhGenerate, dhSharedKey, dhValueInRange, DH_G, DH_PRIME, type DhSecret } from '../primitives/dh.ts'
import { sha1 } from '../primitives/hash.ts'
import { authKeyIds, handshakeAesKeyIv, newNonceHash, type AesKeyIv } from '../primitives/kdf.ts'
import { generatePq, type Pq } from '../primitives/pq.ts'
import { rsaPadDecrypt, type ServerRsaKey } from '../primitives/rsa-key.ts'
import { ProtocolCheckError } from '../errors.ts'
import type { DcPolicy, DcRef } from './dc.ts'
import { parseInnerData, type KeyKind } from './inner-data.ts'

/** How long a handshake's state (and its answers, for identical repeats) is kept: 10 min. */
const HANDSHAKE_TTL_S = 600

export interface NewAuthKey {
  kind: KeyKind
  /** Which P_Q_inner_data constructor asked for the key (the legacy forms have no dc). */
  form: InnerForm
  key: Buffer
  id: bigint
  dc: DcRef
  /** Requested lifetime for temp keys, already capped. */
  expiresIn: number
  /** new_nonce[0:8] ⊕ server_nonce[0:8] as a LE int64 (auth-key.md step 10). */
  firstSalt: bigint
}

export type HandshakeStep = 'req_pq_multi' | 'req_DH_params' | 'set_client_DH_params'

export interface HandshakeDeps {
  rsa: ServerRsaKey
  clock: Clock
  random: (n: number) => Uint8Array
  dcPolicy: DcPolicy
  tempKeyMaxExpiresIn: number
  /** Size of pq's prime factors (primitives/pq.ts; default 31 bits). */
  pqPrimeBits?: number
  /** Size of the server's DH exponent a (primitives/dh.ts; default 256 bytes). */
  dhExponentBytes?: number
  /** False when the id collides with a live key: the answer is then dh_gen_retry. */
  isKeyIdFree(id: bigint): boolean
  /** A fault may force the next dh_gen answer. */
  forcedDhGenAnswer(): 'retry' | 'fail' | null
}

export type HandshakeResult =
  | { step: HandshakeStep; answer: TlObject; created?: NewAuthKey }
  | { step: HandshakeStep | 'unknown'; error: ProtocolCheckError }

interface DhState {
  newNonce: Buffer
  kind: KeyKind
  form: InnerForm
  dc: DcRef
  expiresIn: number
  secret: DhSecret
  aes: AesKeyIv
  answer: TlObject
  failedAux: Buffer | null
}

interface State {
  nonce: Buffer
  serverNonce: Buffer
  pq: Pq
  resPQ: TlObject
  createdAt: number
  failed: boolean
  dh: DhState | null
  done: boolean
}

/**
 * The server half of the DH handshake (auth-key.md steps 1–9), keyed by nonce so the
 * steps may arrive on different connections. Every failed check returns a typed error the
 * edge turns into -404 (or -444 for the dc); after one failure the handshake answers
 * -404 to every later step, as the auth_key page asks.
 */
export class HandshakeServer {
  private readonly states = new Map<string, State>()

  constructor(private readonly deps: HandshakeDeps) {}

  /** `mediaOnly`: the connection is a media-only DC's (its temp keys carry a negative dc). */
  handle(body: TlObject, mediaOnly = false): HandshakeResult {
    this.sweep()
    try {
      switch (body._) {
        case 'req_pq_multi':
        case 'req_pq':
          return { step: 'req_pq_multi', answer: this.reqPq(Buffer.from(body.nonce)) }
        case 'req_DH_params':
          return { step: 'req_DH_params', answer: this.reqDhParams(body, mediaOnly) }
        case 'set_client_DH_params':
          return { step: 'set_client_DH_params', ...this.setClientDhParams(body) }
        default:
          return { step: 'unknown', error: new ProtocolCheckError('NOT_A_HANDSHAKE_MESSAGE') }
      }
    } catch (err) {
      if (err instanceof ProtocolCheckError) return { step: stepOf(body), error: err }
      throw err
    }
  }

  clear(): void {
    this.states.clear()
  }

  private reqPq(nonce: Buffer): TlObject {
    const known = this.states.get(nonce.toString('hex'))
    if (known !== undefined) {
      if (known.failed) throw new ProtocolCheckError('HANDSHAKE_FAILED_BEFORE')
      return known.resPQ
    }
    const serverNonce = Buffer.from(this.deps.random(16))
    const pq = generatePq(this.deps.random, this.deps.pqPrimeBits)
    const resPQ: TlObject = {
      _: 'resPQ',
      nonce,
      server_nonce: serverNonce,
      pq: bigToBytes(pq.pq),
      server_public_key_fingerprints: [this.deps.rsa.fingerprint],
    }
    this.states.set(nonce.toString('hex'), {
      nonce,
      serverNonce,
      pq,
      resPQ,
      createdAt: this.deps.clock.now(),
      failed: false,
      dh: null,
      done: false,
    })
    return resPQ
  }

  private reqDhParams(req: TlOf<'req_DH_params'>, mediaOnly: boolean): TlObject {
    const state = this.live(req.nonce, req.server_nonce)
    if (state.dh !== null) {
      // An identical resend of req_DH_params gets the identical answer (auth-key.md "Lost queries").
      return state.dh.answer
    }
    return this.failOnThrow(state, () => {
      const p = bigFromBytes(req.p)
      const q = bigFromBytes(req.q)
      if (p !== state.pq.p || q !== state.pq.q) throw new ProtocolCheckError('PQ_MISMATCH')
      if (req.public_key_fingerprint !== this.deps.rsa.fingerprint) throw new ProtocolCheckError('UNKNOWN_FINGERPRINT')
      const data = rsaPadDecrypt(this.deps.rsa, req.encrypted_data)
      const inner = parseInnerData(data, this.deps.dcPolicy, this.deps.tempKeyMaxExpiresIn)
      if (bigFromBytes(inner.pq) !== state.pq.pq || bigFromBytes(inner.p) !== p || bigFromBytes(inner.q) !== q) {
        throw new ProtocolCheckError('INNER_PQ_MISMATCH')
      }
      if (!Buffer.from(inner.nonce).equals(state.nonce) || !Buffer.from(inner.serverNonce).equals(state.serverNonce)) {
        throw new ProtocolCheckError('INNER_NONCE_MISMATCH')
      }
      const { kind, form, dc, expiresIn } = inner
      // auth-key.md: dc is negative for a media-only DC; a temp key for one with a positive
      // dc names a DC this endpoint is not, which the dc rules answer with -444.
      if (mediaOnly && kind === 'temp' && !dc.media) throw new ProtocolCheckError('DC_INVALID')
      const newNonce = Buffer.from(inner.newNonce)
      const secret = dhGenerate(this.deps.random, DH_G, DH_PRIME, this.deps.dhExponentBytes)
      const aes = handshakeAesKeyIv(newNonce, state.serverNonce)
      const innerAnswer = serializeObject({
        _: 'server_DH_inner_data',
        nonce: state.nonce,
        server_nonce: state.serverNonce,
        g: DH_G,
        dh_prime: bigToBytes(DH_PRIME),
        g_a: bigToBytes(secret.publicValue),
        server_time: Math.floor(this.deps.clock.now()),
      })
      const withHash = padTo16(Buffer.concat([sha1(innerAnswer), innerAnswer]), this.deps.random)
      const answer: TlObject = {
        _: 'server_DH_params_ok',
        nonce: state.nonce,
        server_nonce: state.serverNonce,
        encrypted_answer: igeEncrypt(withHash, aes.key, aes.iv),
      }
      state.dh = { newNonce, kind, form, dc, expiresIn, secret, aes, answer, failedAux: null }
      return answer
    })
  }

  private setClientDhParams(req: TlOf<'set_client_DH_params'>): { answer: TlObject; created?: NewAuthKey } {
    const state = this.live(req.nonce, req.server_nonce)
    const dh = state.dh
    if (dh === null || state.done) throw this.fail(state, new ProtocolCheckError('UNEXPECTED_STEP'))
    return this.failOnThrow(state, () => {
      if (req.encrypted_data.length % 16 !== 0 || req.encrypted_data.length === 0) {
        throw new ProtocolCheckError('BAD_ENCRYPTED_LENGTH')
      }
      const plain = igeDecrypt(req.encrypted_data, dh.aes.key, dh.aes.iv)
      const inner = parseHashed(plain, 'client_DH_inner_data')
      if (!Buffer.from(inner.nonce).equals(state.nonce) || !Buffer.from(inner.server_nonce).equals(state.serverNonce)) {
        throw new ProtocolCheckError('INNER_NONCE_MISMATCH')
      }
      const expectedRetry = dh.failedAux === null ? 0n : dh.failedAux.readBigInt64LE(0)
      if (inner.retry_id !== expectedRetry) throw new ProtocolCheckError('RETRY_ID_MISMATCH')
      const gB = bigFromBytes(inner.g_b)
      if (!dhValueInRange(gB)) throw new ProtocolCheckError('G_B_OUT_OF_RANGE')
      const key = dhSharedKey(gB, dh.secret.exponent)
      const { id, auxHash } = authKeyIds(key)
      const head = { nonce: state.nonce, server_nonce: state.serverNonce }
      const forced = this.deps.forcedDhGenAnswer()
      if (forced === 'fail') {
        state.done = true
        return { answer: { _: 'dh_gen_fail', ...head, new_nonce_hash3: newNonceHash(dh.newNonce, 3, auxHash) } }
      }
      if (forced === 'retry' || !this.deps.isKeyIdFree(id)) {
        dh.failedAux = auxHash
        return { answer: { _: 'dh_gen_retry', ...head, new_nonce_hash2: newNonceHash(dh.newNonce, 2, auxHash) } }
      }
      state.done = true
      const firstSalt = xorBytes(dh.newNonce.subarray(0, 8), state.serverNonce.subarray(0, 8)).readBigInt64LE(0)
      return {
        answer: { _: 'dh_gen_ok', ...head, new_nonce_hash1: newNonceHash(dh.newNonce, 1, auxHash) },
        created: { kind: dh.kind, form: dh.form, key, id, dc: dh.dc, expiresIn: dh.expiresIn, firstSalt },
      }
    })
  }

  private live(nonce: Uint8Array, serverNonce: Uint8Array): State {
    const state = this.states.get(Buffer.from(nonce).toString('hex'))
    if (state === undefined || !state.serverNonce.equals(serverNonce)) throw new ProtocolCheckError('UNKNOWN_HANDSHAKE')
    if (state.failed) throw new ProtocolCheckError('HANDSHAKE_FAILED_BEFORE')
    return state
  }

  private failOnThrow<T>(state: State, run: () => T): T {
    try {
      return run()
    } catch (err) {
      throw this.fail(state, err)
    }
  }

  private fail(state: State, err: unknown): unknown {
    state.failed = true
    return err
  }

  private sweep(): void {
    const cutoff = this.deps.clock.now() - HANDSHAKE_TTL_S
    for (const [k, s] of this.states) if (s.createdAt < cutoff) this.states.delete(k)
  }
}

function stepOf(body: TlObject): HandshakeStep | 'unknown' {
  if (body._ === 'req_pq_multi' || body._ === 'req_pq') return 'req_pq_multi'
  if (body._ === 'req_DH_params' || body._ === 'set_client_DH_params') return body._
  return 'unknown'
}

/** SHA1(answer) + answer + < 16 bytes of padding (auth-key.md step 8.2). */
function parseHashed(plain: Buffer, name: 'client_DH_inner_data'): TlOf<'client_DH_inner_data'> {
  const body = plain.subarray(20)
  const { obj, length } = decodeOrFail(body)
  if (obj._ !== name) throw new ProtocolCheckError('INNER_DATA_CONSTRUCTOR')
  if (body.length - length >= 16) throw new ProtocolCheckError('PADDING_TOO_LONG')
  if (!sha1(body.subarray(0, length)).equals(plain.subarray(0, 20))) throw new ProtocolCheckError('SHA1_MISMATCH')
  return obj
}

/** One boxed object from the start of `data`; what follows it is padding. */
function decodeOrFail(data: Uint8Array): { obj: TlObject; length: number } {
  try {
    const r = new TlReader(data)
    const obj = decodeObject(r)
    return { obj, length: r.offset }
  } catch {
    throw new ProtocolCheckError('INNER_DATA_UNPARSABLE')
  }
}

function padTo16(data: Buffer, random: (n: number) => Uint8Array): Buffer {
  const pad = (16 - (data.length % 16)) % 16
  return Buffer.concat([data, random(pad)])
}
