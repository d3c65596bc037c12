/**
 * The fuzz server's half of the DH handshake (auth-key.md steps 1–9) on node:crypto, with
 * a hook at every answer: unlike a man in the middle, it knows new_nonce and the auth key,
 * so a hostile resPQ, server_DH_inner_data or dh_gen_* is authentically encrypted and hashed.
 */
import { checkPrimeSync } from 'node:crypto'
import { nodeMtproto as kit } from '@pfs-web/server'
import { TlReader, decodeObject, serializeObject, type TlObject, type TlOf } from '@pfs-web/tl'
import type { Prng } from '../prng.ts'
import type { HandshakeHooks, HandshakeSecrets, HandshakeStep } from './hooks.ts'
import type { FuzzRsaKey } from './rsa.ts'

export interface MadeKey {
  kind: 'perm' | 'temp'
  key: Buffer
  id: bigint
  expiresIn: number
  firstSalt: bigint
}

interface State {
  nonce: Buffer
  serverNonce: Buffer
  p: bigint
  q: bigint
  kind: 'perm' | 'temp' | null
  newNonce: Buffer | null
  expiresIn: number
  aes: kit.AesKeyIv | null
  secret: kit.DhSecret | null
  auxHash: Buffer | null
}

export type HandshakeOutcome = { answer: TlObject | null; made?: MadeKey } | { error: string }

export class HandshakeSide {
  private readonly states = new Map<string, State>()

  constructor(
    private readonly rsa: FuzzRsaKey,
    private readonly rng: Prng,
    private readonly serverTime: () => number,
  ) {}

  handle(body: TlObject, hooks: HandshakeHooks | undefined, only: 'perm' | 'temp' | undefined): HandshakeOutcome {
    try {
      switch (body._) {
        case 'req_pq_multi':
        case 'req_pq':
          return this.resPq(Buffer.from(body.nonce), hooks)
        case 'req_DH_params':
          return this.dhParams(body, hooks, only)
        case 'set_client_DH_params':
          return this.dhGen(body, hooks, only)
        default:
          return { error: 'NOT_A_HANDSHAKE_MESSAGE' }
      }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) }
    }
  }

  private resPq(nonce: Buffer, hooks: HandshakeHooks | undefined): HandshakeOutcome {
    const serverNonce = Buffer.from(this.rng.bytes(16))
    const [p, q] = this.pq()
    const state: State = { nonce, serverNonce, p, q, kind: null, newNonce: null, expiresIn: 0, aes: null, secret: null, auxHash: null }
    this.states.set(nonce.toString('hex'), state)
    const answer: TlObject = { _: 'resPQ', nonce, server_nonce: serverNonce, pq: kit.bigToBytes(p * q), server_public_key_fingerprints: [this.rsa.fingerprint] }
    return { answer: this.hooked('res-pq', answer, state, hooks) }
  }

  private dhParams(req: TlOf<'req_DH_params'>, hooks: HandshakeHooks | undefined, only: 'perm' | 'temp' | undefined): HandshakeOutcome {
    const state = this.live(req.nonce, req.server_nonce)
    if (kit.bigFromBytes(req.p) !== state.p || kit.bigFromBytes(req.q) !== state.q) return { error: 'PQ_MISMATCH' }
    if (req.public_key_fingerprint !== this.rsa.fingerprint) return { error: 'UNKNOWN_FINGERPRINT' }
    const inner = decodeObject(new TlReader(kit.rsaPadDecrypt(this.rsa, req.encrypted_data)))
    if (inner._ !== 'p_q_inner_data_dc' && inner._ !== 'p_q_inner_data_temp_dc') return { error: 'INNER_DATA_CONSTRUCTOR' }
    state.kind = inner._ === 'p_q_inner_data_temp_dc' ? 'temp' : 'perm'
    state.expiresIn = inner._ === 'p_q_inner_data_temp_dc' ? inner.expires_in : 0
    state.newNonce = Buffer.from(inner.new_nonce)
    state.aes = kit.handshakeAesKeyIv(state.newNonce, state.serverNonce)
    state.secret = kit.dhGenerate((n) => this.rng.bytes(n))
    const use = only === undefined || only === state.kind ? hooks : undefined
    let innerAnswer: TlObject = {
      _: 'server_DH_inner_data',
      nonce: state.nonce,
      server_nonce: state.serverNonce,
      g: kit.DH_G,
      dh_prime: kit.bigToBytes(kit.DH_PRIME),
      g_a: kit.bigToBytes(state.secret.publicValue),
      server_time: Math.floor(this.serverTime()),
    }
    if (use?.inner && innerAnswer._ === 'server_DH_inner_data') innerAnswer = use.inner(innerAnswer) ?? innerAnswer
    const answer: TlObject = { _: 'server_DH_params_ok', nonce: state.nonce, server_nonce: state.serverNonce, encrypted_answer: this.encryptInner(state, innerAnswer) }
    return { answer: this.hooked('server-dh-params', answer, state, use) }
  }

  private dhGen(req: TlOf<'set_client_DH_params'>, hooks: HandshakeHooks | undefined, only: 'perm' | 'temp' | undefined): HandshakeOutcome {
    const state = this.live(req.nonce, req.server_nonce)
    if (state.aes === null || state.secret === null || state.newNonce === null) return { error: 'UNEXPECTED_STEP' }
    if (req.encrypted_data.length === 0 || req.encrypted_data.length % 16 !== 0) return { error: 'BAD_ENCRYPTED_LENGTH' }
    const plain = kit.igeDecrypt(req.encrypted_data, state.aes.key, state.aes.iv)
    const reader = new TlReader(plain.subarray(20))
    const inner = decodeObject(reader)
    if (inner._ !== 'client_DH_inner_data') return { error: 'INNER_DATA_CONSTRUCTOR' }
    if (!kit.sha1(plain.subarray(20, 20 + reader.offset)).equals(plain.subarray(0, 20))) return { error: 'SHA1_MISMATCH' }
    const gB = kit.bigFromBytes(inner.g_b)
    if (!kit.dhValueInRange(gB)) return { error: 'G_B_OUT_OF_RANGE' }
    const key = kit.dhSharedKey(gB, state.secret.exponent)
    const { id, auxHash } = kit.authKeyIds(key)
    state.auxHash = auxHash
    const use = only === undefined || only === state.kind ? hooks : undefined
    const head = { nonce: state.nonce, server_nonce: state.serverNonce }
    const ok: TlObject = { _: 'dh_gen_ok', ...head, new_nonce_hash1: kit.newNonceHash(state.newNonce, 1, auxHash) }
    const answer = this.hooked('dh-gen', ok, state, use)
    // the key exists for the server only if the engine was told it does
    if (answer === null || answer._ !== 'dh_gen_ok') return { answer }
    const firstSalt = kit.xorBytes(state.newNonce.subarray(0, 8), state.serverNonce.subarray(0, 8)).readBigInt64LE(0)
    this.states.delete(state.nonce.toString('hex'))
    return { answer, made: { kind: state.kind ?? 'perm', key, id, expiresIn: state.expiresIn, firstSalt } }
  }

  private hooked(step: HandshakeStep, answer: TlObject, state: State, hooks: HandshakeHooks | undefined): TlObject | null {
    const out = hooks?.answer?.(step, answer, this.secrets(state)) ?? answer
    return out === 'drop' ? null : out
  }

  private secrets(state: State): HandshakeSecrets {
    return {
      nonce: state.nonce,
      serverNonce: state.serverNonce,
      newNonce: state.newNonce,
      auxHash: state.auxHash,
      encryptInner: (inner) => this.encryptInner(state, inner),
    }
  }

  private encryptInner(state: State, inner: TlObject): Uint8Array {
    if (state.aes === null) throw new Error('no tmp aes key yet')
    const data = serializeObject(inner)
    const withHash = Buffer.concat([kit.sha1(data), data])
    const padded = Buffer.concat([withHash, Buffer.from(this.rng.bytes((16 - (withHash.length % 16)) % 16))])
    return kit.igeEncrypt(padded, state.aes.key, state.aes.iv)
  }

  private live(nonce: Uint8Array, serverNonce: Uint8Array): State {
    const state = this.states.get(Buffer.from(nonce).toString('hex'))
    if (state === undefined || !state.serverNonce.equals(serverNonce)) throw new Error('UNKNOWN_HANDSHAKE')
    return state
  }

  /**
   * Two distinct 24-bit primes from the server's stream, p < q. Telegram's are ~31 bits; the
   * engine factors any pq, and a smaller one keeps the client's share of a handshake short.
   */
  private pq(): [bigint, bigint] {
    const prime = (): bigint => {
      for (;;) {
        const c = BigInt((this.rng.u32() >>> 8) | 0x800001)
        if (checkPrimeSync(c)) return c
      }
    }
    for (;;) {
      const a = prime()
      const b = prime()
      if (a !== b) return a < b ? [a, b] : [b, a]
    }
  }
}
