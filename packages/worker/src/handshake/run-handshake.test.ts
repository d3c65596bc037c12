import { describe, expect, it } from 'vitest'
import type { EngineEnv, SocketLike } from '../env.ts'
import { runHandshake } from './run-handshake.ts'

/** A socket that opens on the next turn and swallows what is sent; timers never fire on their own. */
function env(): { env: EngineEnv; timers: number[] } {
  const timers: number[] = []
  const openSocket = (): SocketLike => {
    const s: SocketLike = {
      binaryType: 'arraybuffer',
      readyState: 0,
      send: () => undefined,
      close: () => undefined,
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

describe('runHandshake (issue #18: no send can throw into an unhandled promise)', () => {
  it('the first send throwing after the socket opened fails the handshake with that error, not at its timeout', async () => {
    const { env: e } = env()
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
  })
})
