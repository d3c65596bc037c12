import { describe, expect, it } from 'vitest'
import type { EngineEnv, SocketLike } from '../env.ts'
import { runHandshake } from './run-handshake.ts'

/** A socket that opens on the next turn and swallows what is sent; timers never fire on their own. */
function env(): { env: EngineEnv; timers: number[]; sockets: { closed: boolean }[] } {
  const timers: number[] = []
  const sockets: { closed: boolean }[] = []
  const openSocket = (): SocketLike => {
    const state = { closed: false }
    sockets.push(state)
    const s: SocketLike = {
      binaryType: 'arraybuffer',
      readyState: 0,
      send: () => undefined,
      close: () => void (state.closed = true),
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
    }
    setTimeout(() => {
      ;(s as { readyState: number }).readyState = 1
      s.onopen?.({})
    }, 0)
    return s
  }
  return {
    timers,
    sockets,
    env: {
      openSocket,
      permKeys: { get: async () => undefined, set: async () => undefined, delete: async () => undefined },
      clock: { now: () => 0, wallNow: () => 1_700_000_000_000 },
      random: (n) => crypto.getRandomValues(new Uint8Array(n)),
      setTimer: (ms) => {
        timers.push(ms)
        return () => undefined
      },
    },
  }
}

describe('runHandshake: a failure rejects at once and closes the socket (issues #18, #17)', () => {
  it('the first send throwing after the socket opened fails the handshake with that error, not at its timeout', async () => {
    const { env: e, sockets } = env()
    const boom = new RangeError('no msg_id')
    const run = runHandshake({
      env: e,
      url: 'ws://fake',
      purpose: 'temp-handshake',
      options: { mode: { kind: 'perm' }, wireDcId: 2, rsaKeys: [], random: e.random },
      nextMsgId: () => {
        throw boom
      },
      // the env's timers never fire: only the send failure can settle the handshake
      timeoutMs: 30_000,
    })
    await expect(run).rejects.toBe(boom)
    // issue #17: only a finished handshake hands its socket on; a failed one closes it
    expect(sockets).toEqual([{ closed: true }])
  })

  it('a handshake the engine aborts closes its socket and rejects ABORTED', async () => {
    const { env: e, sockets } = env()
    const stop = new AbortController()
    const run = runHandshake({
      env: e,
      url: 'ws://fake',
      purpose: 'temp-handshake',
      options: { mode: { kind: 'temp', expiresIn: 60 }, wireDcId: 2, rsaKeys: [], random: e.random },
      nextMsgId: () => 4n,
      timeoutMs: 30_000,
      signal: stop.signal,
    })
    // the socket opens and req_pq_multi goes out; the server never answers
    await new Promise((r) => setTimeout(r, 5))
    stop.abort()
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' })
    expect(sockets).toEqual([{ closed: true }])
  })
})
