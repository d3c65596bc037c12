/**
 * Runs one Handshake over its own fresh connection (pfs §1.1: perm and temp handshakes
 * may run in parallel on separate connections). On success the connection is handed to
 * the caller still open: a temp key's bind and calls go on the socket that made it, with
 * no second socket set-up (issue #17); a perm key's is closed at once. Any failure — a
 * failed check, transport error -404, a dropped socket, the deadline or an abort —
 * rejects with the connection closed, and the caller restarts from step 1 on a new
 * connection (auth-key.md "Other rules").
 */
import { TransportError } from '@pfs-web/errors'
import { deserializeObject, serializeObject } from '@pfs-web/tl/client'
import type { EngineEnv } from '../env.ts'
import { HandshakeError } from '../errors.ts'
import { Connection, type ConnectionPurpose } from '../edge/transport/connection.ts'
import { Handshake, type HandshakeOptions, type HandshakeResult } from './handshake.ts'
import { decodePlain, encodePlain } from './plain-envelope.ts'

export interface HandshakeRun {
  env: EngineEnv
  url: string
  purpose: ConnectionPurpose
  options: HandshakeOptions
  /** Next client msg_id for the unencrypted envelope (divisible by 4, increasing). */
  nextMsgId(): bigint
  timeoutMs: number
  /** Aborted when the engine closes: the handshake stops and its connection and timer go. */
  signal?: AbortSignal
}

/**
 * A handshake's result and the open connection it ran on, which the caller now owns: it
 * adopts it (Connection.adopt) or closes it. Until then a packet on it finds the finished
 * handshake and is dropped; none comes, as the server sends nothing under a new key unasked.
 */
export interface Handshaken extends HandshakeResult {
  conn: Connection
}

export async function runHandshake(run: HandshakeRun): Promise<Handshaken> {
  const conn = new Connection(run.env, run.url, run.options.wireDcId, run.purpose)
  const hs = new Handshake(run.options)
  let cancelTimer: () => void = () => undefined
  let onAbort: () => void = () => undefined
  try {
    const result = await new Promise<HandshakeResult>((resolve, reject) => {
      cancelTimer = run.env.setTimer(run.timeoutMs, () => reject(new HandshakeError('TIMEOUT', 'handshake took too long')))
      onAbort = () => reject(new HandshakeError('ABORTED', 'engine closed'))
      if (run.signal?.aborted === true) onAbort()
      run.signal?.addEventListener('abort', onAbort, { once: true })
      const send = (body: Uint8Array): void => conn.send(encodePlain(run.nextMsgId(), body))
      // Messages are handled one at a time: each step awaits crypto before the next may run.
      let chain = Promise.resolve()
      conn
        .open({
          onPacket: (payload) => {
            chain = chain.then(async () => {
              try {
                const { body } = decodePlain(payload)
                const out = await hs.onMessage(deserializeObject(body), run.env.clock.now())
                if ('done' in out) resolve(out.done)
                else send(serializeObject(out.send))
              } catch (err) {
                reject(err)
              }
            })
          },
          onTransportError: (code) => reject(new TransportError(code, `transport error ${code} during handshake`)),
          onClose: (err) => reject(err),
        })
        // one catch for both: a send that throws (a closed socket) must fail the handshake now,
        // not leave a rejected promise behind and wait out the timeout
        .then(() => send(serializeObject(hs.start())))
        .catch(reject)
    })
    return { ...result, conn }
  } catch (err) {
    conn.close()
    throw err
  } finally {
    cancelTimer()
    run.signal?.removeEventListener('abort', onAbort)
    hs.wipe()
  }
}
