/**
 * One epoch of a fuzz run: a virtual loop, the fuzz server and an engine connected to it,
 * all seeded by (seed, epoch). Epochs are independent, so a case replays by running its
 * epoch from the start.
 */
import { serializeObject } from '@pfs-web/tl'
import { createEngine, type KeyEvent, type PermKeyStorage, type WorkerApi, type WorkerOptions } from '@pfs-web/worker'
import { fuzzEnv, memoryStorage } from './fuzz-env.ts'
import { LeakScanner } from './oracles.ts'
import { Prng } from './prng.ts'
import { FuzzServer } from './server/fuzz-server.ts'
import { fuzzRsaKey } from './server/rsa.ts'
import { VirtualLoop } from './virtual-loop.ts'

/** 2025-06-01: the epochs' virtual wall clock starts here, on every machine. */
const WALL_BASE_MS = Date.UTC(2025, 5, 1)
export const GET_CONFIG = serializeObject({ _: 'help.getConfig' })

export interface Epoch {
  index: number
  loop: VirtualLoop
  server: FuzzServer
  engine: WorkerApi
  storage: PermKeyStorage
  /** Text the engine let out since the last take(): key events and update sizes. */
  events: string[]
  /** Engines made in this epoch (a fresh-engine case or a logout adds one). */
  engines: number
  rng: Prng
  /** Knows the key bytes of this epoch's server, to find them in what the engine lets out. */
  scanner: LeakScanner
}

export function engineOptions(): WorkerOptions {
  return {
    dcs: [{ id: 2, url: 'ws://fuzz.invalid/apiws' }],
    defaultDcId: 2,
    rsaPublicKeys: [fuzzRsaKey().publicPem],
    app: { apiId: 1, deviceModel: 'fuzz', systemVersion: '1', appVersion: '1', systemLangCode: 'en', langPack: '', langCode: 'en' },
    layer: 227,
    // short-lived temp keys: planned rotations happen inside an epoch, under fire
    tempKeyLifetimeS: [900, 1_800],
  }
}

export async function startEpoch(seed: number, index: number): Promise<Epoch> {
  const loop = new VirtualLoop(WALL_BASE_MS)
  const server = new FuzzServer(fuzzRsaKey(), Prng.of(seed, 'server', index), () => loop.wallNow())
  const rng = Prng.of(seed, 'engine', index)
  const epoch: Epoch = { index, loop, server, engine: null as unknown as WorkerApi, storage: memoryStorage(), events: [], engines: 0, rng, scanner: new LeakScanner() }
  await newEngine(epoch, true)
  return epoch
}

/** Replaces the epoch's engine (closing the old one); `freshStorage` forgets the perm key. */
export async function newEngine(epoch: Epoch, freshStorage: boolean): Promise<void> {
  if (epoch.engines > 0) await epoch.engine.close()
  if (freshStorage) epoch.storage = memoryStorage()
  epoch.engines++
  const engine = createEngine(fuzzEnv(epoch.loop, epoch.server, epoch.rng, epoch.storage))
  await engine.init(engineOptions())
  await engine.onKeyEvent((e: KeyEvent) => void epoch.events.push(JSON.stringify(e)))
  await engine.onUpdate((dc, bytes) => void epoch.events.push(`update dc ${dc}: ${bytes.length} bytes`))
  epoch.engine = engine
}

/** Runs the loop until `p` settles or virtual time passes `withinMs` from now. */
export async function settleWithin<T>(epoch: Epoch, p: Promise<T>, withinMs: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | { pending: 'time' | 'stuck' }> {
  let out: { ok: true; value: T } | { ok: false; error: unknown } | null = null
  p.then(
    (value) => void (out = { ok: true, value }),
    (error: unknown) => void (out = { ok: false, error }),
  )
  const how = await epoch.loop.runUntil(() => out !== null, epoch.loop.now + withinMs)
  return out ?? { pending: how === 'done' ? 'time' : how }
}
