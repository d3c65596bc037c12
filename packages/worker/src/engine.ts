/**
 * createEngine(env): the WorkerApi over one DcRuntime per DC. Everything with a side
 * effect comes from `env`, so a dedicated Worker, a SharedWorker or a Node test can host
 * it; the engine reads no globals. Views and events are plain data; key bytes stay in
 * the KeyStore.
 */
import { deserializeObject, serializeObject, TlReader, type TlObject } from '@pfs-web/tl/client'
import type {
  ConfigView,
  DcStateView,
  InvokeOptions,
  KeyEvent,
  KeyEventListener,
  LifecycleKind,
  NearestDcView,
  PoolName,
  StateListener,
  Unsubscribe,
  UpdateListener,
  WorkerApi,
  WorkerOptions,
} from './api.ts'
import { readConfigView } from './config-view.ts'
import { DcRouter } from './edge/dc/dc-router.ts'
import { DcRuntime } from './edge/dc/dc-runtime.ts'
import { AWAKE, stepLifecycle, type LifecycleEvent } from './policy/session/lifecycle.ts'
import { resolveOptions, type ResolvedOptions } from './edge/dc/options.ts'
import type { EngineEnv } from './env.ts'
import { EngineError } from './errors.ts'
import { DhPairPool } from './handshake/dh-pairs.ts'
import { loadRsaKeys, type RsaKey } from './handshake/rsa-keys.ts'
import { KeyStore } from './keys/key-store.ts'
import { pickMember } from './policy/pfs/pools.ts'
import { pooledRandom } from './random-pool.ts'

/** Calls a listener that may be a Comlink proxy: its promise must never reject unhandled. */
function notify<A extends unknown[]>(listener: (...args: A) => unknown, ...args: A): void {
  try {
    const r = listener(...args)
    if (r instanceof Promise) r.catch(() => undefined)
  } catch {
    // A faulty listener must not break the engine or the other listeners.
  }
}

/** Test seams: a key store supplied by the host (e.g. one that records what it was given). */
export interface EngineDeps {
  keys?: KeyStore
}

export function createEngine(hostEnv: EngineEnv, deps: EngineDeps = {}): WorkerApi {
  const env: EngineEnv = { ...hostEnv, random: pooledRandom(hostEnv.random) }
  const keys = deps.keys ?? new KeyStore()
  const dcs = new Map<number, DcRuntime>()
  /** Every connection, mains and pool members, in the order they started (the views' order). */
  const all: DcRuntime[] = []
  /** `${dcId}:${pool}` → its members, started on first use (policy/pfs/pools). */
  const pools = new Map<string, DcRuntime[]>()
  const stateListeners = new Set<StateListener>()
  const updateListeners = new Set<UpdateListener>()
  const keyListeners = new Set<KeyEventListener>()
  let options: ResolvedOptions | null = null
  let rsaKeys: RsaKey[] = []
  let closed = false
  // One pool for all DCs: they share the DH group, and a rotation or another DC then finds g^b made.
  const dhPairs = new DhPairPool(env)
  // policy/session/lifecycle for the whole engine: each action goes to every started
  // connection, and `net` is the gate the DCs read before they open a socket
  let life = AWAKE
  const lifecycle = (event: LifecycleEvent): void => {
    const r = stepLifecycle(life, event, env.clock.now())
    if (!r) throw new EngineError('BAD_REQUEST', 'unknown lifecycle kind')
    life = r.state
    for (const a of r.actions) for (const rt of all) rt.lifecycle(a)
  }
  const net = {
    get online() {
      return life.online
    },
  }
  hostEnv.watchNetwork?.(lifecycle)

  const states = (): DcStateView[] => all.map((dc) => dc.view())
  const hooks = {
    changed: () => {
      if (stateListeners.size === 0) return
      const s = states()
      for (const l of stateListeners) notify(l, s)
    },
    keyEvent: (e: KeyEvent) => {
      for (const l of keyListeners) notify(l, e)
    },
    update: (dcId: number, bytes: Uint8Array) => {
      for (const l of updateListeners) notify(l, dcId, bytes)
    },
    slept: () => lifecycle('slept'),
  }

  /** DCs the embedder logged out of: they stay logged out for the engine's life. */
  const loggedOut = new Set<number>()

  /**
   * `revive` (connect() only): a DC logged out because the server proved its perm key dead,
   * not by logout(), starts over and makes a new perm key (issue #16). A call does not: a new
   * perm key is a new, signed-out session, which the embedder starts by asking to connect.
   */
  function dc(dcId?: number, revive = false): DcRuntime {
    if (closed) throw new EngineError('CLOSED', 'engine closed')
    if (!options) throw new EngineError('NOT_INITIALIZED', 'init() first')
    const id = dcId ?? router.home
    let rt = dcs.get(id)
    if (revive && rt?.report.status === 'logged-out' && !loggedOut.has(id)) {
      for (const key of [...pools.keys()]) if (key.startsWith(`${id}:`)) pools.delete(key)
      all.splice(0, all.length, ...all.filter((r) => r.dcId !== id))
      rt = undefined
    }
    if (!rt) {
      const address = options.dcs.find((d) => d.id === id && !d.media)
      if (!address) throw new EngineError('UNKNOWN_DC', `no address for DC ${id}`)
      rt = new DcRuntime(env, keys, id, address.url, options, rsaKeys, hooks)
      dcs.set(id, rt)
      all.push(rt)
    }
    return rt
  }

  /** The connection of the DC's `pool` that takes the next call: the caller picks the pool (issue #15). */
  function conn(dcId: number | undefined, pool: PoolName = 'main'): DcRuntime {
    const main = dc(dcId)
    if (pool === 'main') return main
    const o = options as ResolvedOptions
    const size = Object.hasOwn(o.pools, pool) ? o.pools[pool] : 0
    if (size === 0) throw new EngineError('BAD_REQUEST', `no pool ${String(pool)}`)
    const url = pool === 'media' ? o.dcs.find((d) => d.id === main.dcId && d.media)?.url : main.url
    if (url === undefined) throw new EngineError('UNKNOWN_DC', `no media DC ${main.dcId}`)
    const key = `${main.dcId}:${pool}`
    const members = pools.get(key) ?? []
    pools.set(key, members)
    const i = pickMember(members.map((m) => m.calls.pending), size)
    let rt = members[i]
    if (!rt) {
      rt = members[i] = new DcRuntime(env, keys, main.dcId, url, o, rsaKeys, hooks, { name: `${pool}-${i}`, main, media: pool === 'media' })
      all.push(rt)
    }
    return rt
  }

  /** The connection, unless its DC logged out: nothing, not even a perm handshake, happens there then. */
  function live(dcId: number, pool?: PoolName): DcRuntime {
    const rt = conn(dcId, pool)
    if (rt.report.status === 'logged-out') throw new EngineError('LOGGED_OUT', `DC ${rt.dcId} logged out`)
    return rt
  }

  /**
   * One hop: the call on that DC's connection (DcRouter follows *_MIGRATE_X around it). Not
   * async: the outbox's promise is handed on as it is, one promise and its ticks fewer per
   * call (#17); an unknown or logged-out DC throws at once, inside DcRouter's try.
   */
  function callOn(request: Uint8Array, method: string, dcId: number, pool: PoolName | undefined, timeoutMs: number, callId?: string): Promise<Uint8Array> {
    const rt = live(dcId, pool)
    // The call waits in the outbox while the DC connects; its deadline bounds the wait.
    // After a terminal bind failure only an explicit connect() tries again (pfs §1.3 gate).
    rt.use()
    if (rt.phase !== 'failed') rt.connect().catch((err: unknown) => rt.setError(err))
    return rt.calls.invoke(request, method, timeoutMs, callId)
  }

  const knownDc = (id: number): boolean => !!options?.dcs.some((d) => d.id === id && !d.media)
  const router = new DcRouter({
    send: callOn,
    permKeyId: async (id) => (await live(id).permKey()).idHex,
    knownDc,
    now: () => env.clock.now(),
    saveHome: (id) => env.permKeys.setHome?.(id).catch(() => undefined),
  })

  async function call(request: Uint8Array, opts: InvokeOptions = {}): Promise<Uint8Array> {
    dc(opts.dcId)
    if (!(request instanceof Uint8Array) || request.length < 4 || request.length % 4 !== 0) {
      throw new EngineError('BAD_REQUEST', 'request must be a boxed TL object')
    }
    return router.call(request, opts, opts.timeoutMs ?? (options as ResolvedOptions).defaultTimeoutMs)
  }

  async function callObject(obj: TlObject, dcId?: number, pool?: PoolName, callId?: string): Promise<TlObject> {
    return deserializeObject(await call(serializeObject(obj), { dcId, pool, callId }))
  }

  function expect<N extends TlObject['_']>(obj: TlObject, name: N): Extract<TlObject, { _: N }> {
    if (obj._ !== name) throw new EngineError('UNEXPECTED_RESULT', `expected ${name}, got ${obj._}`)
    return obj as Extract<TlObject, { _: N }>
  }

  return {
    async init(o: WorkerOptions) {
      if (options) throw new EngineError('ALREADY_INITIALIZED', 'init() was already called')
      const resolved = resolveOptions(o)
      rsaKeys = loadRsaKeys(o.rsaPublicKeys)
      options = { ...resolved, dhPairs, net }
      // the home DC a *_MIGRATE moved to survives a reload (api/datacenter)
      const saved = await env.permKeys.getHome?.().catch(() => undefined)
      // before any connect, so a reload's first g^b uses the stored powers
      await dhPairs.restore()
      router.home = saved !== undefined && knownDc(saved) ? saved : resolved.defaultDcId
    },
    async connect(dcId?: number) {
      const rt = dc(dcId, true)
      await rt.connect()
      return rt.view()
    },
    invoke: call,
    async cancel(callId: string) {
      router.cancel(callId)
      for (const rt of all) rt.calls.cancel(callId)
    },
    async getConfig(dcId?: number, callId?: string): Promise<ConfigView> {
      return readConfigView(await call(serializeObject({ _: 'help.getConfig' }), { dcId, pool: 'main', ...(callId !== undefined && { callId }) }))
    },
    async getNearestDc(dcId?: number, callId?: string): Promise<NearestDcView> {
      const n = expect(await callObject({ _: 'help.getNearestDc' }, dcId, 'main', callId), 'nearestDc')
      return { country: n.country, thisDc: n.this_dc, nearestDc: n.nearest_dc }
    },
    async saveFilePart(fileId: bigint, filePart: number, bytes: Uint8Array, dcId?: number, pool: PoolName = 'upload', callId?: string) {
      const r = await callObject({ _: 'upload.saveFilePart', file_id: fileId, file_part: filePart, bytes }, dcId, pool, callId)
      if (r._ !== 'boolTrue' && r._ !== 'boolFalse') throw new EngineError('UNEXPECTED_RESULT', `expected Bool, got ${r._}`)
      return r._ === 'boolTrue'
    },
    async getFile(fileId: bigint, offset: number, limit: number, dcId?: number, pool: PoolName = 'download', callId?: string) {
      const location = { _: 'inputDocumentFileLocation', id: fileId, access_hash: 0n, file_reference: new Uint8Array(0), thumb_size: '' } as const
      const r = new TlReader(await call(serializeObject({ _: 'upload.getFile', location, offset: BigInt(offset), limit }), { dcId, pool, ...(callId !== undefined && { callId }) }))
      // upload.file#096a18d5 type:storage.FileType mtime:int bytes:bytes; the worker's codecs
      // leave upload.File to the page's TL (client-profile), so its bytes are read by hand
      if (r.uint32() !== 0x096a18d5) throw new EngineError('UNEXPECTED_RESULT', 'expected upload.file')
      r.raw(8)
      return r.bytes()
    },
    async states() {
      return states()
    },
    async subscribe(listener: StateListener): Promise<Unsubscribe> {
      stateListeners.add(listener)
      notify(listener, states())
      return () => void stateListeners.delete(listener)
    },
    async onUpdate(listener: UpdateListener): Promise<Unsubscribe> {
      updateListeners.add(listener)
      return () => void updateListeners.delete(listener)
    },
    async onKeyEvent(listener: KeyEventListener): Promise<Unsubscribe> {
      keyListeners.add(listener)
      return () => void keyListeners.delete(listener)
    },
    /** Every started connection of the DC moves to a new temp key. */
    async rotateNow(dcId?: number) {
      const id = dc(dcId).dcId
      await Promise.all(all.filter((rt) => rt.dcId === id).map((rt) => rt.rotate()))
    },
    async lifecycle(kind: LifecycleKind) {
      if (closed) throw new EngineError('CLOSED', 'engine closed')
      lifecycle(kind)
    },
    async logout(dcId?: number) {
      const rt = dc(dcId)
      loggedOut.add(rt.dcId)
      await rt.logout((options as ResolvedOptions).defaultTimeoutMs)
    },
    async close() {
      if (closed) return
      for (const rt of dcs.values()) rt.close()
      closed = true
      dhPairs.close()
      keys.dropAll()
      hooks.changed()
    },
  }
}
