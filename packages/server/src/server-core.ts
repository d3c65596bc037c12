/**
 * The conformance server without its listeners: keys, handshakes, the MTProto core, faults
 * and stats over a ServerEnv. startServer (server.ts) puts TCP, WebSocket and control
 * listeners in front of it; the simulation (packages/sim) feeds it in-process sockets on
 * virtual time.
 */
import type { TlObject } from '@pfs-web/tl'
import { ControlError, type BindingMode, type FaultAction, type FaultState, type ServerStats } from '@pfs-web/control-client'
import { Authorizations } from './api/authorizations.ts'
import { FileStore } from './api/files.ts'
import { offsetClock } from './clock.ts'
import { MtprotoCore, type KeyConnectionUse } from './core.ts'
import { loadRsaKey } from './primitives/rsa-key.ts'
import { DataDir, type StoredPermKey } from './data-dir.ts'
import { Faults } from './faults.ts'
import type { DcPolicy } from './handshake/dc.ts'
import { HandshakeServer, type NewAuthKey } from './handshake/handshake.ts'
import { silentLogger, type Logger } from './logger.ts'
import { KeyStore, type AuthKey } from './pfs/key-store.ts'
import type { ServerEnv } from './server-env.ts'
import { MsgIdSource } from './session/msg-id.ts'
import { SaltBook } from './session/salts.ts'
import { StatsRecorder } from './stats.ts'
import { Connection } from './transport/connection.ts'
import type { ByteSink } from './transport/stream.ts'

/** Where perm keys survive a restart: a DataDir on disk, or memory in the simulation. */
export interface PermKeyFile {
  loadPermKeys(): StoredPermKey[]
  savePermKeys(keys: Iterable<StoredPermKey>): void
}

export interface CoreOptions {
  /** Holds the RSA key and the perm keys unless both are given below. */
  dataDir?: string
  rsaPrivatePem?: string
  permKeyFile?: PermKeyFile
  /** Count every non-bind API call under a perm key as a violation (default true). */
  strictPfs?: boolean
  /** Cap on a temp key's expires_in (our choice, auth-key.md step 5.9): default 86400. */
  tempKeyMaxExpiresIn?: number
  /** How far a bind's expires_at may pass the key's own expiry (encryption.md §7.7): default 3600. */
  bindSlackSeconds?: number
  dcIds?: number[]
  dcMode?: DcPolicy['mode']
  maxFrameLength?: number
  logger?: Logger
  /** What a new bind does to the perm key's previous temp key (BindingMode in @pfs-web/control-client): default 'many'. */
  bindingMode?: BindingMode
  /** Serve temp key bytes for e2e leak searches. Tests only. */
  exposeKeyBytes?: boolean
  /** Size of pq's prime factors (default 31 bits, as Telegram's). */
  pqPrimeBits?: number
  /** Size of the server's DH exponent (default 256 bytes). */
  dhExponentBytes?: number
  /**
   * How often expired temp keys are swept from memory (default 1000 ms). Lookups check
   * expires_at themselves, so this only bounds memory; a simulated month sweeps less often.
   */
  sweepIntervalMs?: number
  /**
   * Sees the API calls of every encrypted packet, in the order the server ran them (a
   * container's in msg_id order): the simulation checks batching keeps the issue order.
   */
  onPacketCalls?: (calls: readonly TlObject[]) => void
  /**
   * Sees which connection made each auth key and which carries each packet under a known
   * key: the simulation checks a temp key's traffic stays on the socket that made it
   * (issue #17). Observation only; nothing the server decides depends on it.
   */
  onKeyConnection?: (use: KeyConnectionUse) => void
}

export interface FaultsApi {
  apply(action: FaultAction | FaultAction[]): Promise<FaultState>
  state(): FaultState
}

export interface ServerCore {
  rsaPublicKeyPem: string
  /** TL long, as sent in resPQ. */
  fingerprint: bigint
  /** A new client connection: feed it bytes with receive(), end it with ended(); answers go to `sink`. */
  /** `mediaOnly`: the socket came in on a media-only endpoint (listeners.ts, /apiws_media). */
  accept(sink: ByteSink, transport: 'tcp' | 'ws', mediaOnly?: boolean): Connection
  stats(): ServerStats
  faults: FaultsApi
  /** Temp key bytes (hex) by decimal id; only with exposeKeyBytes. */
  tempKeyHex(id: string): string | null
  /** The address config and help.getConfig give for every DC. */
  setDcAddress(host: string, port: number): void
  /** The two counters the simulation checks after every step, without building a stats snapshot. */
  health(): { violations: number; expiredKeyPackets: number }
  /** Closes every connection and stops the core's timers. */
  close(): void
}

export function createServerCore(options: CoreOptions, env: ServerEnv): ServerCore {
  const logger = options.logger ?? silentLogger
  const random = env.random
  const randomLong = (): bigint => new DataView(random(8).buffer).getBigInt64(0, true)
  const faults = new Faults(options.bindingMode)
  const clock = offsetClock(env.clock, () => faults.state.clockOffsetSeconds)
  const dataDir = options.dataDir !== undefined ? new DataDir(options.dataDir) : null
  const rsaPem = options.rsaPrivatePem ?? dataDir?.rsaPrivatePem()
  const permFile = options.permKeyFile ?? dataDir
  if (rsaPem === undefined || permFile === null) throw new ControlError('NO_DATA_DIR', 'a dataDir, or an RSA key and a perm key file')
  const rsa = loadRsaKey(rsaPem)
  const keys = new KeyStore()
  const stats = new StatsRecorder()
  const files = new FileStore()
  const auth = new Authorizations()
  const connections = new Set<Connection>()
  const bindSlackSeconds = options.bindSlackSeconds ?? 3600
  let dcAddress = { host: '127.0.0.1', port: 0 }

  const loadPermKeys = (): void => {
    for (const k of permFile.loadPermKeys()) {
      keys.addPerm({ kind: 'perm', ...k, salts: new SaltBook(randomLong(), clock.now(), randomLong), messages: 0, apiCalls: 0 })
    }
  }
  const savePermKeys = (): void => permFile.savePermKeys(keys.perm.values())
  loadPermKeys()

  const handshake = new HandshakeServer({
    rsa,
    clock,
    random,
    ...(options.pqPrimeBits !== undefined ? { pqPrimeBits: options.pqPrimeBits } : {}),
    ...(options.dhExponentBytes !== undefined ? { dhExponentBytes: options.dhExponentBytes } : {}),
    dcPolicy: { dcIds: options.dcIds ?? [1, 2, 3, 4, 5], mode: options.dcMode ?? 'both' },
    tempKeyMaxExpiresIn: options.tempKeyMaxExpiresIn ?? 86400,
    isKeyIdFree: (id) => !keys.has(id),
    forcedDhGenAnswer: () => faults.takeDhGen(),
  })

  const onKeyCreated = (k: NewAuthKey): void => {
    const now = clock.now()
    const salts = new SaltBook(k.firstSalt, now, randomLong)
    if (k.kind === 'perm') {
      keys.addPerm({ kind: 'perm', id: k.id, key: k.key, dc: k.dc, form: k.form, createdAt: now, salts, messages: 0, apiCalls: 0 })
      savePermKeys()
    } else {
      keys.addTemp({
        kind: 'temp',
        id: k.id,
        key: k.key,
        dc: k.dc,
        form: k.form,
        createdAt: now,
        expiresIn: k.expiresIn,
        expiresAt: now + k.expiresIn,
        boundTo: null,
        inited: false,
        layer: null,
        salts,
        messages: 0,
        apiCalls: 0,
      })
    }
    logger.info('key-created', { kind: k.kind, id: k.id.toString(), dc: k.dc.id })
  }

  const dcAddresses = (): { id: number; host: string; port: number }[] =>
    (options.dcIds ?? [1, 2, 3, 4, 5]).map((id) => ({ id, ...dcAddress }))

  const core = new MtprotoCore({
    clock,
    keys,
    handshake,
    faults,
    stats,
    msgIds: new MsgIdSource(),
    logger,
    random,
    sleep: (ms) => new Promise((r) => env.setTimer(ms, () => r())),
    onKeyCreated,
    onPacketCalls: options.onPacketCalls ?? (() => undefined),
    onKeyConnection: options.onKeyConnection ?? (() => undefined),
    api: {
      keys,
      files,
      auth,
      random,
      stats,
      faults,
      strictPfs: options.strictPfs ?? true,
      bindSlackSeconds,
      get dcAddresses() {
        return dcAddresses()
      },
      onBound: (temp, replaced) =>
        logger.info('bound', { temp: temp.id.toString(), replaced: replaced === null ? '' : replaced.toString() }),
      onDropped: (ids) => logger.info('dropped-temp-keys', { count: ids.length }),
    },
  })

  const streamOptions = { maxFrameLength: options.maxFrameLength ?? 2 * 1024 * 1024, random }
  const connDeps = {
    stats,
    logger,
    handle: (conn: Connection, payload: Buffer) => core.handlePayload(conn, payload),
    onClose: (conn: Connection) => connections.delete(conn),
    latencyMs: () => faults.state.latencyMs,
    nowMs: () => env.nowMs(),
    setTimer: (ms: number, fn: () => void) => env.setTimer(ms, fn),
  }
  let stopped = false
  const every = (ms: number, fn: () => void): (() => void) => {
    let cancel = (): void => undefined
    const arm = (): void => {
      cancel = env.setTimer(ms, () => {
        if (stopped) return
        fn()
        arm()
      })
    }
    arm()
    return () => cancel()
  }
  const stopSweep = every(options.sweepIntervalMs ?? 1000, () => keys.sweep(clock.now()))
  let stopPushes: (() => void) | null = null
  const schedulePushes = (everySeconds: number): void => {
    stopPushes?.()
    stopPushes = everySeconds > 0 ? every(everySeconds * 1000, () => core.pushUpdates()) : null
  }

  const findKeys = (keyId: string | undefined, map: Map<bigint, AuthKey>): AuthKey[] =>
    keyId === undefined ? [...map.values()] : [map.get(BigInt(keyId))].filter((k): k is AuthKey => k !== undefined)

  const applyOne = (a: FaultAction): void => {
    const now = clock.now()
    switch (a.type) {
      case 'forget-temp-key':
        for (const k of findKeys(a.keyId, keys.temp)) {
          if (a.afterSeconds === undefined) keys.dropTemp(k.id)
          else if (k.kind === 'temp') k.expiresAt = Math.min(k.expiresAt, now + a.afterSeconds)
        }
        return
      case 'unbind-temp-key':
        for (const k of findKeys(a.keyId, keys.temp)) keys.unbind(k.id)
        return
      case 'forget-perm-key':
        for (const k of findKeys(a.keyId, keys.perm)) {
          keys.dropPerm(k.id)
          auth.signOut(k.id)
        }
        savePermKeys()
        return
      case 'bind-error':
        for (let i = 0; i < (a.count ?? 1); i++) faults.state.pendingBindErrors.push({ error: a.error, code: a.code ?? 400 })
        return
      case 'flood-wait':
        for (let i = 0; i < (a.count ?? 1); i++) faults.state.pendingFloodWaits.push({ method: a.method, error: `FLOOD${a.premium ? '_PREMIUM' : ''}_WAIT_${a.seconds}` })
        return
      case 'drop-connection':
        faults.state.pendingDrops.push(a.after)
        return
      case 'delay-handshake':
        faults.state.handshakeDelayMs = a.ms
        return
      case 'latency':
        faults.state.latencyMs = a.ms
        return
      case 'clock-offset':
        faults.state.clockOffsetSeconds = a.seconds
        return
      case 'salt':
        for (const k of [...findKeys(a.keyId, keys.perm), ...findKeys(a.keyId, keys.temp)]) k.salts.scheduleChange(now + (a.afterSeconds ?? 0))
        return
      case 'storm-404':
        faults.state.storm404Until = now + a.seconds
        return
      case 'flood-429':
        faults.state.flood429Until = now + a.seconds
        return
      case 'dh-gen':
        faults.state.pendingDhGen.push(a.answer)
        return
      case 'push-updates':
        faults.state.pushEverySeconds = a.everySeconds
        schedulePushes(a.everySeconds)
        return
      case 'updates-too-long':
        core.pushUpdates({ _: 'updatesTooLong' })
        return
      case 'binding-mode':
        faults.state.bindingMode = a.mode
        return
      case 'migrate':
        faults.state.migrations.push({ method: a.method, error: a.error, dc: a.dc, skip: (a.nth ?? 1) - 1, left: a.count ?? null, answered: 0 })
        return
      case 'sign-in':
        for (const k of keys.perm.values()) if (k.dc.id === a.dc) auth.signIn(k.id, BigInt(a.userId ?? '1000'))
        return
      case 'require-authorization':
        faults.state.authorizationRequired = a.on
        return
      case 'restart':
        for (const c of [...connections]) c.close()
        keys.clear()
        handshake.clear()
        core.clear()
        files.clear()
        auth.dropExports()
        faults.reset()
        schedulePushes(0)
        loadPermKeys()
        return
      case 'clear':
        faults.reset()
        schedulePushes(0)
        for (const k of [...keys.perm.values(), ...keys.temp.values()]) k.salts.cancelChange()
        return
    }
  }

  const faultsApi: FaultsApi = {
    apply: async (action) => {
      for (const a of Array.isArray(action) ? action : [action]) applyOne(a)
      return faultsApi.state()
    },
    state: () => structuredClone(faults.state),
  }

  return {
    rsaPublicKeyPem: rsa.publicPem,
    fingerprint: rsa.fingerprint,
    accept(sink, transport, mediaOnly = false) {
      const conn = new Connection(sink, { ...streamOptions, obfuscationRequired: transport === 'ws' }, connDeps, mediaOnly)
      connections.add(conn)
      return conn
    },
    stats: () => stats.snapshot([...keys.perm.values(), ...keys.temp.values()]),
    health: () => stats.health(),
    faults: faultsApi,
    tempKeyHex: (id) => {
      if (options.exposeKeyBytes !== true) throw new ControlError('KEY_BYTES_NOT_EXPOSED')
      return keys.temp.get(BigInt(id))?.key.toString('hex') ?? null
    },
    setDcAddress(host, port) {
      dcAddress = { host, port }
    },
    close() {
      stopped = true
      stopSweep()
      schedulePushes(0)
      for (const c of [...connections]) c.close()
    },
  }
}
