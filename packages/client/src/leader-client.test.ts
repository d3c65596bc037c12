/**
 * The leader fallback's hand-over (#15) in Node: its BroadcastChannel is real, the Web
 * Lock queue is a fake whose grants the test can hold back, so the races of a hand-over
 * (a call resent on 'leader', a close() racing the grant) are played deterministically.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PfsClient } from './client.ts'
import { AbortedError } from './errors.ts'
import { createLeaderClient } from './leader-client.ts'

interface Request {
  cb: () => unknown
  granted: boolean
  resolve(v: unknown): void
}

/** One lock name's queue; `auto` grants at the next microtask, else `flush()` grants. */
class FakeLocks {
  held = false
  readonly queue: Request[] = []
  readonly pendingGrants: (() => void)[] = []
  constructor(readonly auto: boolean) {}

  request(_name: string, options: { signal?: AbortSignal }, cb: () => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const r: Request = { cb, granted: false, resolve }
      this.queue.push(r)
      options.signal?.addEventListener('abort', () => {
        const i = this.queue.indexOf(r)
        if (i >= 0 && !r.granted) {
          this.queue.splice(i, 1)
          reject(new DOMException('aborted', 'AbortError'))
        }
      })
      this.#pump()
    })
  }

  flush(): void {
    for (const grant of this.pendingGrants.splice(0)) grant()
  }

  #pump(): void {
    if (this.held || this.queue.length === 0) return
    const r = this.queue.shift() as Request
    r.granted = true
    this.held = true
    const grant = (): void => {
      void Promise.resolve(r.cb()).then((v) => {
        this.held = false
        r.resolve(v)
        this.#pump()
      })
    }
    if (this.auto) queueMicrotask(grant)
    else this.pendingGrants.push(grant)
  }
}

/** An engine client whose invokes wait until aborted; it counts what it ran. */
function fakeEngine() {
  const log = { invokes: 0, getConfigs: 0, closes: 0 }
  const client = {
    ready: Promise.resolve(),
    invoke: (_request: Uint8Array, { signal }: { signal?: AbortSignal } = {}) =>
      new Promise<Uint8Array>((_resolve, reject) => {
        log.invokes++
        signal?.addEventListener('abort', () => reject(new AbortedError('call aborted')))
      }),
    getConfig: async () => (log.getConfigs++, { thisDc: 2 }),
    states: async () => [],
    subscribe: () => () => undefined,
    onUpdate: () => () => undefined,
    onKeyEvent: () => () => undefined,
    close: async () => void log.closes++,
  } as unknown as PfsClient
  return { client, log }
}

const opened: { close(): unknown }[] = []
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close()
  vi.unstubAllGlobals()
})

function tab(name: string, engine: PfsClient, started: string[]): PfsClient {
  const client = createLeaderClient('s', () => undefined, () => (started.push(name), engine))
  opened.push(client)
  return client
}

describe('leader fallback: a hand-over neither runs a call twice nor hangs one', () => {
  it('a call resent to a leader that already answered it is not run again', async () => {
    const locks = new FakeLocks(true)
    vi.stubGlobal('navigator', { locks })
    const started: string[] = []
    const a = fakeEngine()
    tab('a', a.client, started)
    await expect.poll(() => started).toEqual(['a'])

    // A follower as the wire sees it: it sent call 1, then resends it on a 'leader' notice.
    const follower = new BroadcastChannel('pfs-web-tabs:s')
    opened.push(follower)
    const answers: number[] = []
    follower.onmessage = ({ data }: MessageEvent<{ t: string; to?: string; id?: number }>) => {
      if (data.t === 'answer' && data.to === 'f') answers.push(data.id as number)
    }
    const call = (id: number) => follower.postMessage({ t: 'call', from: 'f', id, m: 'getConfig', a: [] })
    call(1)
    await expect.poll(() => answers).toEqual([1])
    call(1)
    call(2)
    await expect.poll(() => answers).toEqual([1, 2])
    expect(a.log.getConfigs).toBe(1 + 1)
  })

  it('a call that waited on the old leader can still be aborted once its own tab leads', async () => {
    vi.stubGlobal('navigator', { locks: new FakeLocks(true) })
    const started: string[] = []
    const a = fakeEngine()
    const b = fakeEngine()
    const leaderA = tab('a', a.client, started)
    await expect.poll(() => started).toEqual(['a'])
    const followerB = tab('b', b.client, started)

    const abort = new AbortController()
    const call = followerB.invoke(new Uint8Array(4), { signal: abort.signal })
    await expect.poll(() => a.log.invokes).toBe(1)
    await leaderA.close()
    await expect.poll(() => b.log.invokes).toBe(1)
    abort.abort()
    await expect(call).rejects.toBeInstanceOf(AbortedError)
  })

  it('a tab closed while the lock was on its way to it starts no engine and passes the lock on', async () => {
    const locks = new FakeLocks(false)
    vi.stubGlobal('navigator', { locks })
    const started: string[] = []
    const leaderA = tab('a', fakeEngine().client, started)
    locks.flush()
    await expect.poll(() => started).toEqual(['a'])
    const b = tab('b', fakeEngine().client, started)

    await leaderA.close()
    await expect.poll(() => locks.pendingGrants.length).toBe(1)
    await b.close()
    locks.flush()
    await expect.poll(() => locks.held).toBe(false)
    expect(started).toEqual(['a'])
  })
})
