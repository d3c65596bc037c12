/**
 * The DH auth-key exchange as an explicit state machine (TDLib Handshake.h: Start →
 * ResPQ → ServerDHParams → DHGenResponse → Done), in Perm or Temp mode. It is fed the
 * decoded server messages and returns the next message to send; the runtime does the
 * I/O. Every client MUST of auth-key.md steps 1–9 is checked here; a failed check throws
 * HandshakeError (or crypto's SecurityError) and the runtime restarts on a new connection.
 */
import {
  aesIgeDecrypt,
  aesIgeEncrypt,
  forgetAesKey,
  authKeyAuxHash,
  checkDhParams,
  concatBytes,
  constantTimeEqual,
  dhGenerateAsync,
  dhSharedAsync,
  factorizePqAsync,
  initialServerSalt,
  newNonceHash,
  rsaPadEncrypt,
  sha1Sync,
  tmpAesKeyIv,
  yieldToEventLoop,
  type CooperativeOptions,
} from '@pfs-web/crypto'
import { TlReader, decodeObject, serializeObject, type TlObject } from '@pfs-web/tl/client'
import { HandshakeError } from '../errors.ts'
import { clockPlausibility } from '../policy/session/msg-id.ts'
import type { DhGroup, DhPair, DhPairSource } from './dh-pairs.ts'
import type { RsaKey } from './rsa-keys.ts'

export type HandshakeMode = { kind: 'perm' } | { kind: 'temp'; expiresIn: number }

export type HandshakeStep = 'start' | 'res-pq' | 'server-dh-params' | 'dh-gen-response' | 'done' | 'failed'

export interface HandshakeOptions {
  mode: HandshakeMode
  /** `dc` for p_q_inner_data: +10000 for test DCs, negative for media (auth-key.md). */
  wireDcId: number
  rsaKeys: readonly RsaKey[]
  random: (n: number) => Uint8Array
  /**
   * How the DH and pq maths share the thread (default: ~1 ms slices, then a macrotask
   * turn). The handshake runs on the worker thread that also serves calls, so a
   * rotation's handshake must never hold it for a whole modexp (issue #6).
   */
  cooperative?: CooperativeOptions
  /**
   * Client DH pairs made ahead for groups seen before (issue #17). When none is ready,
   * b and g_b are computed inline, from the source's fixed-base powers when it has them.
   */
  dhPairs?: DhPairSource | undefined
}

export interface HandshakeResult {
  mode: HandshakeMode
  /** 256 bytes; ownership passes to the key store at once. */
  authKey: Uint8Array
  /** new_nonce[0:8] XOR server_nonce[0:8], LE int64 (step 10). */
  serverSalt: bigint
  /** server_time from server_DH_inner_data and the local `now` (ms) it was read at. */
  serverTime: number
  serverTimeAt: number
}

export type HandshakeOutput = { send: TlObject } | { done: HandshakeResult }

/** A DH pair being made early for a group (#speculate); drop() stops it and zeroes its b. */
interface EarlyPair extends DhGroup {
  pair: Promise<DhPair | null>
  drop(): void
}

/** dh_gen_retry loops are bounded: a server that always collides is broken. */
const MAX_RETRIES = 5

export class Handshake {
  step: HandshakeStep = 'start'
  #nonce: Uint8Array = new Uint8Array(0)
  #serverNonce: Uint8Array = new Uint8Array(0)
  #newNonce: Uint8Array = new Uint8Array(0)
  #tmpKey: Uint8Array = new Uint8Array(0)
  #tmpIv: Uint8Array = new Uint8Array(0)
  #dh: { g: number; dhPrime: Uint8Array; gA: Uint8Array } | null = null
  #serverTime = 0
  #serverTimeAt = 0
  /** g_a^b, computed while set_client_DH_params is on the wire; null once handed over. */
  #pendingKey: Promise<Uint8Array> | null = null
  #auxHash: Uint8Array = new Uint8Array(0)
  #retries = 0
  #wiped = false
  #early: EarlyPair | null = null

  readonly #options: HandshakeOptions

  constructor(options: HandshakeOptions) {
    this.#options = options
  }

  /** Step 1: req_pq_multi with a fresh nonce. */
  start(): TlObject {
    if (this.step !== 'start') throw new HandshakeError('BAD_STATE', `start() in step ${this.step}`)
    this.#nonce = this.#options.random(16)
    this.step = 'res-pq'
    const group = this.#options.dhPairs?.likelyGroup?.()
    if (group) this.#early = this.#speculate(group)
    return { _: 'req_pq_multi', nonce: this.#nonce }
  }

  /**
   * Feeds one server message received at local `now` (ms). Any thrown error leaves the
   * machine in 'failed' with its secrets wiped.
   */
  async onMessage(msg: TlObject, now: number): Promise<HandshakeOutput> {
    try {
      switch (this.step) {
        case 'res-pq':
          return { send: await this.#onResPq(msg) }
        case 'server-dh-params':
          return { send: await this.#onServerDhParams(msg, now) }
        case 'dh-gen-response':
          return await this.#onDhGen(msg)
        default:
          throw new HandshakeError('UNEXPECTED_MESSAGE', `message in step ${this.step}`)
      }
    } catch (err) {
      this.step = 'failed'
      this.wipe()
      throw err
    }
  }

  /** Wipes new_nonce, the tmp AES key/iv and any unused auth key (idempotent). */
  wipe(): void {
    this.#wiped = true
    this.#newNonce.fill(0)
    forgetAesKey(this.#tmpKey)
    this.#tmpKey.fill(0)
    this.#tmpIv.fill(0)
    this.#dropPendingKey()
    this.#early?.drop()
  }

  /** Zeroes the pending auth key, now or once its maths ends (that maths stops at its next pause). */
  #dropPendingKey(): void {
    void this.#pendingKey?.then(
      (key) => key.fill(0),
      () => undefined,
    )
    this.#pendingKey = null
  }

  async #onResPq(msg: TlObject): Promise<TlObject> {
    if (msg._ !== 'resPQ') throw new HandshakeError('UNEXPECTED_MESSAGE', `expected resPQ, got ${msg._}`)
    if (!constantTimeEqual(msg.nonce, this.#nonce)) throw new HandshakeError('NONCE_MISMATCH', 'resPQ.nonce')
    const offered = msg.server_public_key_fingerprints.map((f) => BigInt.asIntN(64, f))
    const key = this.#options.rsaKeys.find((k) => offered.includes(k.fingerprint))
    if (!key) throw new HandshakeError('NO_RSA_KEY', 'no known RSA key among the server fingerprints')
    this.#serverNonce = msg.server_nonce
    const { p, q } = await factorizePqAsync(msg.pq, this.#options.cooperative)
    this.#checkNotWiped()
    this.#newNonce = this.#options.random(32)
    const common = { pq: msg.pq, p, q, nonce: this.#nonce, server_nonce: this.#serverNonce, new_nonce: this.#newNonce, dc: this.#options.wireDcId }
    const inner: TlObject =
      this.#options.mode.kind === 'perm'
        ? { _: 'p_q_inner_data_dc', ...common }
        : { _: 'p_q_inner_data_temp_dc', ...common, expires_in: this.#options.mode.expiresIn }
    const data = serializeObject(inner)
    try {
      const encrypted = await rsaPadEncrypt(data, key.key, this.#options.random)
      this.step = 'server-dh-params'
      return { _: 'req_DH_params', nonce: this.#nonce, server_nonce: this.#serverNonce, p, q, public_key_fingerprint: key.fingerprint, encrypted_data: encrypted }
    } finally {
      data.fill(0)
    }
  }

  async #onServerDhParams(msg: TlObject, now: number): Promise<TlObject> {
    if (msg._ !== 'server_DH_params_ok') throw new HandshakeError('UNEXPECTED_MESSAGE', `expected server_DH_params_ok, got ${msg._}`)
    this.#checkNonces(msg.nonce, msg.server_nonce)
    if (msg.encrypted_answer.length % 16 !== 0 || msg.encrypted_answer.length < 32) {
      throw new HandshakeError('BAD_ANSWER_LENGTH', 'encrypted_answer is not block aligned')
    }
    const { key, iv } = tmpAesKeyIv(this.#newNonce, this.#serverNonce)
    this.#tmpKey = key
    this.#tmpIv = iv
    const plain = await aesIgeDecrypt(this.#tmpKey, this.#tmpIv, msg.encrypted_answer)
    const reader = new TlReader(plain, 20)
    const inner = decodeObject(reader)
    if (inner._ !== 'server_DH_inner_data') throw new HandshakeError('UNEXPECTED_MESSAGE', `expected server_DH_inner_data, got ${inner._}`)
    if (plain.length - reader.offset >= 16) throw new HandshakeError('BAD_ANSWER_PADDING', 'more than 15 padding bytes')
    // synchronous: for a few hundred bytes a WebCrypto digest costs more than the hashing (sha-sync.ts)
    const hash = sha1Sync(plain.subarray(20, reader.offset))
    if (!constantTimeEqual(hash, plain.subarray(0, 20))) throw new HandshakeError('BAD_ANSWER_HASH', 'SHA1(answer) mismatch')
    this.#checkNonces(inner.nonce, inner.server_nonce)
    this.#dh = { g: inner.g, dhPrime: inner.dh_prime, gA: inner.g_a }
    checkDhParams(this.#dh, this.#options.random)
    // issue #18: the handshake is the clock's good sync, so its time must be a possible one
    if (clockPlausibility(inner.server_time, null) !== 'plausible') throw new HandshakeError('BAD_SERVER_TIME', `server_time ${inner.server_time}`)
    this.#serverTime = inner.server_time
    this.#serverTimeAt = now
    return this.#clientDhParams(0n)
  }

  /**
   * Step 7 (also after dh_gen_retry): new b, g_b, auth_key; the same tmp key/iv. A pair
   * made ahead was drawn and range-checked as dhGenerate does; it is the pool's no more.
   *
   * set_client_DH_params carries only g_b, and auth_key = g_a^b is first needed to check
   * dh_gen_*'s new_nonce_hash (auth-key.md step 7 computes it "thereupon"), so the message
   * goes out first and the modexp runs while it is on the wire: a round trip hides it
   * instead of it delaying every connect by one modexp (issue #17). It starts a macrotask
   * later so the send is not held by its first slice, and stops at its next pause once the
   * handshake is wiped; b is zeroed when it ends, whichever way.
   */
  async #clientDhParams(retryId: bigint): Promise<TlObject> {
    const dh = this.#dh
    if (!dh) throw new HandshakeError('BAD_STATE', 'no DH parameters')
    const { b, gB } = await this.#dhPair(dh.g, dh.dhPrime)
    this.#dropPendingKey()
    try {
      const data = serializeObject({ _: 'client_DH_inner_data', nonce: this.#nonce, server_nonce: this.#serverNonce, retry_id: retryId, g_b: gB })
      const hash = sha1Sync(data)
      const padLen = (16 - ((20 + data.length) % 16)) % 16
      const withHash = concatBytes(hash, data, this.#options.random(padLen))
      const encrypted = await aesIgeEncrypt(this.#tmpKey, this.#tmpIv, withHash)
      withHash.fill(0)
      this.#checkNotWiped()
      this.#pendingKey = this.#sharedKey(dh, b)
      this.step = 'dh-gen-response'
      return { _: 'set_client_DH_params', nonce: this.#nonce, server_nonce: this.#serverNonce, encrypted_data: encrypted }
    } catch (err) {
      b.fill(0)
      throw err
    }
  }

  /** g_a^b from a macrotask on, in cooperative slices; b is zeroed when it ends, whichever way. */
  #sharedKey(dh: { gA: Uint8Array; dhPrime: Uint8Array }, b: Uint8Array): Promise<Uint8Array> {
    const cooperative = this.#cooperative()
    const key = cooperative
      .yieldNow()
      .then(() => dhSharedAsync(dh.gA, b, dh.dhPrime, cooperative))
      .finally(() => b.fill(0))
    // its failure is reported when dh_gen_* needs the key; until then it must not be unhandled
    key.catch(() => undefined)
    return key
  }

  /**
   * A pair made ahead, else the one computed early for this group, else a new one (from the
   * source's fixed-base powers when it has them). An early pair not used is dropped: its
   * maths stops at the next pause and its b is zeroed.
   */
  async #dhPair(g: number, dhPrime: Uint8Array): Promise<DhPair> {
    const source = this.#options.dhPairs
    const early = this.#early
    this.#early = null
    const made = source?.take(g, dhPrime) ?? null
    if (made || early?.g !== g || !constantTimeEqual(early.dhPrime, dhPrime)) {
      early?.drop()
    } else {
      const pair = await early.pair
      if (this.#wiped) pair?.b.fill(0)
      this.#checkNotWiped()
      if (pair) return pair
    }
    return made ?? dhGenerateAsync(g, dhPrime, this.#options.random, { ...this.#cooperative(), powers: source?.powers?.(g, dhPrime) })
  }

  /**
   * b and g^b for the group the source expects, computed while req_pq and req_DH_params are
   * in flight (issue #17): on a page's first connect no pair was made ahead, and g^b would
   * otherwise wait for server_DH_params_ok. It starts a microtask later, once req_pq is
   * sent, and is used only if the server offers that group (checkDhParams runs first).
   */
  #speculate({ g, dhPrime, powers }: DhGroup): EarlyPair {
    let dropped = false
    const cooperative = this.#cooperative(() => dropped)
    const pair = Promise.resolve()
      .then(() => (dropped ? null : dhGenerateAsync(g, dhPrime, this.#options.random, { ...cooperative, powers })))
      .catch(() => null)
    const drop = (): void => {
      dropped = true
      void pair.then((p) => p?.b.fill(0))
    }
    return { g, dhPrime, pair, drop }
  }

  /**
   * The handshake's slices, whose pauses end the maths once the handshake is wiped (or
   * `stopped` says so); a stopped dhGenerate zeroes the b it drew.
   */
  #cooperative(stopped = (): boolean => false): CooperativeOptions & { yieldNow: () => Promise<void> } {
    const cooperative = this.#options.cooperative ?? {}
    const pause = cooperative.yieldNow ?? yieldToEventLoop
    return {
      ...cooperative,
      yieldNow: async () => {
        await pause()
        this.#checkNotWiped()
        if (stopped()) throw new HandshakeError('ABORTED', 'early DH pair dropped')
      },
    }
  }

  async #onDhGen(msg: TlObject): Promise<HandshakeOutput> {
    let n: 1 | 2 | 3
    let got: Uint8Array
    if (msg._ === 'dh_gen_ok') [n, got] = [1, msg.new_nonce_hash1]
    else if (msg._ === 'dh_gen_retry') [n, got] = [2, msg.new_nonce_hash2]
    else if (msg._ === 'dh_gen_fail') [n, got] = [3, msg.new_nonce_hash3]
    else throw new HandshakeError('UNEXPECTED_MESSAGE', `expected dh_gen_*, got ${msg._}`)
    this.#checkNonces(msg.nonce, msg.server_nonce)
    if (!this.#pendingKey) throw new HandshakeError('BAD_STATE', 'no auth key')
    const key = await this.#pendingKey
    this.#checkNotWiped()
    this.#auxHash = authKeyAuxHash(key)
    const want = newNonceHash(this.#newNonce, n, this.#auxHash)
    if (!constantTimeEqual(want, got)) throw new HandshakeError('BAD_NEW_NONCE_HASH', `new_nonce_hash${n} mismatch`)
    if (n === 3) throw new HandshakeError('DH_GEN_FAIL', 'server answered dh_gen_fail')
    if (n === 2) {
      if (++this.#retries > MAX_RETRIES) throw new HandshakeError('TOO_MANY_RETRIES', 'dh_gen_retry loop')
      const retryId = new DataView(this.#auxHash.buffer, this.#auxHash.byteOffset, 8).getBigInt64(0, true)
      return { send: await this.#clientDhParams(retryId) }
    }
    const salt = initialServerSalt(this.#newNonce, this.#serverNonce)
    const result: HandshakeResult = {
      mode: this.#options.mode,
      authKey: key,
      serverSalt: new DataView(salt.buffer).getBigInt64(0, true),
      serverTime: this.#serverTime,
      serverTimeAt: this.#serverTimeAt,
    }
    this.#pendingKey = null
    this.step = 'done'
    this.wipe()
    return { done: result }
  }

  /**
   * The maths yields the thread, so the runtime may give up on this handshake (deadline,
   * closed socket) and wipe it meanwhile; nothing made after that may survive. Throwing
   * sends onMessage's catch through wipe() again, which zeroes what was just made.
   */
  #checkNotWiped(): void {
    if (this.#wiped) throw new HandshakeError('ABORTED', 'handshake wiped while it computed')
  }

  #checkNonces(nonce: Uint8Array, serverNonce: Uint8Array): void {
    if (!constantTimeEqual(nonce, this.#nonce)) throw new HandshakeError('NONCE_MISMATCH', 'nonce')
    if (!constantTimeEqual(serverNonce, this.#serverNonce)) throw new HandshakeError('SERVER_NONCE_MISMATCH', 'server_nonce')
  }
}

