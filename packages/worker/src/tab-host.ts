/**
 * One engine for every tab (#15): a SharedWorker serves each tab's connect port with
 * exposeOn(port, tab), where `tab` is a per-port face of one shared engine. So all tabs of
 * an origin and storage name share one perm key, one connection set per DC and temp keys
 * that live only in this worker's memory.
 *
 * A tab goes with an explicit close() or, since a MessagePort has no close event, when the
 * Web Lock it holds for its lifetime is released (`whenGone`). Then its listeners are
 * unsubscribed, its calls cancelled, its ports closed; the last tab out closes the
 * engine, which zeroes every key, and the next tab to connect starts a new one.
 */
import type { Unsubscribe, WorkerApi, WorkerOptions } from './api.ts'
import { EngineError } from './errors.ts'
import { exposeOn, type ExposeHooks } from './expose-on.ts'

export interface TabHostDeps {
  makeEngine(): WorkerApi
  /** Resolves once the tab holding `lock` is gone (navigator.locks grants it to us). */
  whenGone(lock: string): Promise<unknown>
  beforeInit?: ExposeHooks['beforeInit']
}

interface Shared {
  engine: WorkerApi
  tabs: number
  init: Promise<void> | null
  /** The options the engine was started with: a tab asking for other ones is refused. */
  options: string
}

/** Returns the connect handler: serve(port) for each tab's port. */
export function createTabHost(deps: TabHostDeps): (port: MessagePort) => void {
  let shared: Shared | null = null
  let serial = 0
  return (port) => {
    const s: Shared = (shared ??= { engine: deps.makeEngine(), tabs: 0, init: null, options: '' })
    const engine = s.engine
    s.tabs++
    // Call ids are per tab in the engine, so one tab cannot cancel another's call.
    const prefix = `${++serial}:`
    let next = 0
    const unsubscribes = new Set<Unsubscribe>()
    const calls = new Set<string>()
    const callPorts: MessagePort[] = []
    let gone = false

    const leave = async (): Promise<void> => {
      if (gone) return
      gone = true
      for (const unsubscribe of unsubscribes) unsubscribe()
      for (const id of calls) void engine.cancel(id)
      for (const p of callPorts) p.close()
      try {
        if (--s.tabs === 0) {
          if (shared === s) shared = null
          await engine.close()
        }
      } finally {
        // After close()'s answer has gone out on it, and even when closing the engine failed.
        setTimeout(() => port.close())
      }
    }

    const listen =
      <L>(subscribe: (listener: L) => Promise<Unsubscribe>) =>
      async (listener: L): Promise<Unsubscribe> => {
        const unsubscribe = await subscribe(listener)
        const drop = (): void => {
          unsubscribes.delete(drop)
          unsubscribe()
        }
        unsubscribes.add(drop)
        if (gone) drop()
        return drop
      }

    /** Every call of this tab carries an engine call id, so the tab's leaving cancels it. */
    const tracked = <T>(own: string | undefined, run: (callId: string) => Promise<T>): Promise<T> => {
      const callId = prefix + (own ?? `#${++next}`)
      calls.add(callId)
      return run(callId).finally(() => calls.delete(callId))
    }

    const tab: WorkerApi = {
      init(options: WorkerOptions) {
        const key = JSON.stringify(options)
        if (!s.init) {
          s.options = key
          s.init = engine.init(options).catch((error: unknown) => {
            s.init = null
            throw error
          })
        } else if (key !== s.options) {
          return Promise.reject(new EngineError('OPTIONS_MISMATCH', 'another tab started this engine with other options'))
        }
        return s.init
      },
      connect: (dcId) => engine.connect(dcId),
      invoke: (request, options = {}) => tracked(options.callId, (callId) => engine.invoke(request, { ...options, callId })),
      cancel: (callId) => engine.cancel(prefix + callId),
      getConfig: (dcId) => tracked(undefined, (callId) => engine.getConfig(dcId, callId)),
      getNearestDc: (dcId) => tracked(undefined, (callId) => engine.getNearestDc(dcId, callId)),
      saveFilePart: (fileId, filePart, bytes, dcId, pool) => tracked(undefined, (callId) => engine.saveFilePart(fileId, filePart, bytes, dcId, pool, callId)),
      getFile: (fileId, offset, limit, dcId, pool) => tracked(undefined, (callId) => engine.getFile(fileId, offset, limit, dcId, pool, callId)),
      states: () => engine.states(),
      subscribe: listen((l) => engine.subscribe(l)),
      onUpdate: listen((l) => engine.onUpdate(l)),
      onKeyEvent: listen((l) => engine.onKeyEvent(l)),
      rotateNow: (dcId) => engine.rotateNow(dcId),
      // a wake in one tab checks the connections every tab shares: harmless for the others
      lifecycle: (kind) => engine.lifecycle(kind),
      logout: (dcId) => engine.logout(dcId),
      close: leave,
    }

    exposeOn(port, tab, {
      beforeInit: deps.beforeInit,
      callPort(callPort, lock) {
        callPorts.push(callPort)
        if (gone) callPort.close()
        if (lock) deps.whenGone(lock).then(leave).catch(() => undefined)
      },
    })
  }
}
