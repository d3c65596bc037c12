/**
 * One simulated world: the real engine (createEngine) and the real conformance server core
 * (createServerCore) in one process, joined by SimNet, on one VirtualTime. Every source of
 * nondeterminism is injected from the seed: both clocks, timers, the network, randomness
 * on both sides, WebCrypto (sync-web-crypto.ts). The engine sees only its EngineEnv.
 */
import { createHash } from 'node:crypto'
import { createServerCore, type KeyConnectionUse, type ServerCore, type ServerEnv, type StoredPermKey } from '@pfs-web/server'
import type { TlObject } from '@pfs-web/tl'
import type { WorkerApi, WorkerOptions } from '../api.ts'
import { createEngine } from '../engine.ts'
import type { EngineEnv, PermKeyStorage } from '../env.ts'
import { RecordingKeyStore } from '../test-support/recording-key-store.ts'
import { nodeModPow } from './node-mod-pow.ts'
import { SeededRandom } from './seeded-random.ts'
import { SIM_SERVER_RSA_PEM } from './server-rsa-fixture.ts'
import { SimNet } from './sim-net.ts'
import { installSyncWebCrypto } from './sync-web-crypto.ts'
import { VirtualTime } from './virtual-time.ts'

/** 2026-01-01T00:00:00Z: the server clock's start in every world. */
const EPOCH_S = 1_767_225_600
export const SIM_DC = 2

export interface WorldConfig {
  seed: number
  tempKeyLifetimeS: readonly [number, number]
  rotationMarginS?: number
  defaultTimeoutMs?: number
  stallTimeoutMs?: number
  latencyMs?: number
  jitterMs?: number
  /** The client's wall clock is this far off the server's at the start (ms). */
  wallSkewMs?: number
  /** The server's bindings per perm key (server-core BindingMode); 'many' when not given. */
  bindingMode?: 'many' | 'replace'
  /** Sees the API calls of each packet the server handled, in the order it ran them. */
  onPacketCalls?: (calls: readonly TlObject[]) => void
  /** Sees which connection made each key and which carries each packet under one. */
  onKeyConnection?: (use: KeyConnectionUse) => void
}

/** The trace: one line per event, hashed as it goes, kept whole for a replay's printout. */
export class Trace {
  readonly lines: string[] = []
  private readonly hash = createHash('sha256')
  constructor(private readonly time: VirtualTime) {}

  add(line: string): void {
    const l = `${this.time.now.toFixed(3).padStart(14)} ${line}`
    this.lines.push(l)
    this.hash.update(l + '\n')
  }

  digest(): string {
    return this.hash.copy().digest('hex').slice(0, 16)
  }
}

function memoryPermStorage(): PermKeyStorage {
  const map = new Map<number, Uint8Array>()
  return {
    get: async (dc) => map.get(dc)?.slice(),
    set: async (dc, key) => void map.set(dc, key.slice()),
    delete: async (dc) => void map.delete(dc),
  }
}

export class World {
  readonly time = new VirtualTime()
  readonly random: SeededRandom
  readonly trace: Trace
  readonly core: ServerCore
  readonly net: SimNet
  readonly keys = new RecordingKeyStore()
  readonly engine: WorkerApi
  readonly permStorage = memoryPermStorage()
  /** Time the client slept through (lid closed): server and wall clocks moved, monotonic did not. */
  private sleptMs = 0
  private wallSkewMs: number
  private readonly restoreCrypto: () => void
  private readonly serverPermKeys: StoredPermKey[] = []
  /** Temp key id → the temp key whose bind dropped it ('replace' binding mode), server ids. */
  readonly replacedBy = new Map<string, string>()

  constructor(readonly config: WorldConfig) {
    this.random = new SeededRandom(config.seed)
    this.trace = new Trace(this.time)
    this.wallSkewMs = config.wallSkewMs ?? 0
    this.restoreCrypto = installSyncWebCrypto(this.random.fork('platform-crypto'))
    const serverRandom = this.random.fork('server')
    const serverEnv: ServerEnv = {
      clock: { now: () => this.serverNowS() },
      nowMs: () => this.time.now,
      random: (n) => serverRandom.bytes(n),
      setTimer: (ms, fn) => this.time.setTimer('server', ms, fn),
    }
    const perm = this.serverPermKeys
    this.core = createServerCore(
      {
        rsaPrivatePem: SIM_SERVER_RSA_PEM,
        // Spend the run's CPU on the protocol, not on maths the handshake tests already
        // cover: 16-bit pq factors (our factorizer's 31-bit case is tested on its own),
        // 256-bit server exponents, and expired keys swept each minute (lookups check expiry).
        pqPrimeBits: 16,
        dhExponentBytes: 32,
        sweepIntervalMs: 60_000,
        logger: {
          info: (event, f) => {
            if (event === 'bound' && typeof f?.replaced === 'string' && f.replaced !== '') this.replacedBy.set(f.replaced, String(f.temp))
          },
          warn: () => undefined,
        },
        ...(config.bindingMode !== undefined ? { bindingMode: config.bindingMode } : {}),
        ...(config.onPacketCalls !== undefined ? { onPacketCalls: config.onPacketCalls } : {}),
        ...(config.onKeyConnection !== undefined ? { onKeyConnection: config.onKeyConnection } : {}),
        permKeyFile: {
          loadPermKeys: () => perm.map((k) => ({ ...k, key: Buffer.from(k.key) })),
          savePermKeys: (keys) => void perm.splice(0, perm.length, ...[...keys].map((k) => ({ id: k.id, key: Buffer.from(k.key), dc: k.dc, form: k.form, createdAt: k.createdAt }))),
        },
      },
      serverEnv,
    )
    this.net = new SimNet(this.time, this.core, this.random.fork('net'))
    this.net.conditions = { latencyMs: config.latencyMs ?? 5, jitterMs: config.jitterMs ?? 0, refuse: false }
    const engineRandom = this.random.fork('engine')
    const env: EngineEnv = {
      openSocket: (url) => this.net.open(url),
      permKeys: this.permStorage,
      clock: { now: () => this.time.now, wallNow: () => this.wallNowMs() },
      random: (n) => engineRandom.bytes(n),
      setTimer: (ms, fn) => this.time.setTimer('engine', ms, fn),
      modPow: nodeModPow,
    }
    this.engine = createEngine(env, { keys: this.keys })
  }

  options(): WorkerOptions {
    const c = this.config
    return {
      dcs: [{ id: SIM_DC, url: `sim://dc${SIM_DC}` }, { id: SIM_DC, url: `sim://dc${SIM_DC}/apiws_media`, media: true }],
      defaultDcId: SIM_DC,
      rsaPublicKeys: [this.core.rsaPublicKeyPem],
      app: { apiId: 1, deviceModel: 'sim', systemVersion: 'node', appVersion: '0.1', systemLangCode: 'en', langPack: '', langCode: 'en' },
      layer: 227,
      tempKeyLifetimeS: c.tempKeyLifetimeS,
      ...(c.rotationMarginS !== undefined ? { rotationMarginS: c.rotationMarginS } : {}),
      defaultTimeoutMs: c.defaultTimeoutMs ?? 30_000,
      stallTimeoutMs: c.stallTimeoutMs ?? 15_000,
    }
  }

  /** Server unixtime (s), before the server's own clock-offset fault. */
  serverNowS(): number {
    return EPOCH_S + (this.time.now + this.sleptMs) / 1000
  }

  wallNowMs(): number {
    return EPOCH_S * 1000 + this.time.now + this.sleptMs + this.wallSkewMs
  }

  /**
   * A laptop lid: `ms` pass for the server and the client's wall clock while the client's
   * monotonic clock and timers stand still (its sockets are left as they were).
   */
  sleepClient(ms: number): void {
    this.sleptMs += ms
  }

  /** The user sets the client's wall clock off by `ms` more (no time passes). */
  skewWall(ms: number): void {
    this.wallSkewMs += ms
  }

  dispose(): void {
    this.core.close()
    this.restoreCrypto()
  }
}
