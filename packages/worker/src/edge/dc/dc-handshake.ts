/**
 * Runs one auth key handshake for a DC on its own connection, with the DC's RSA keys, wire
 * dc id, clock and stop signal, paced by the temp-key config when it runs in the background.
 * The connection comes back open with the key: the caller adopts or closes it.
 */
import { yieldToEventLoop } from '@pfs-web/crypto'
import { TransportError } from '@pfs-web/errors'
import type { EngineEnv } from '../../env.ts'
import { EngineError } from '../../errors.ts'
import type { HandshakeMode } from '../../handshake/handshake.ts'
import { runHandshake, type Handshaken } from '../../handshake/run-handshake.ts'
import type { RsaKey } from '../../handshake/rsa-keys.ts'
import { nextMsgId } from '../../policy/session/msg-id.ts'
import type { ConnectionPurpose } from '../transport/connection.ts'
import type { ResolvedOptions } from './options.ts'

export interface HandshakeHost {
  readonly env: EngineEnv
  readonly url: string
  readonly dcId: number
  /** `dc` for p_q_inner_data and the obfuscation init (negative for a media-only DC). */
  readonly wireDcId: number
  readonly options: ResolvedOptions
  readonly isStopped: boolean
  /** Aborts when the DC stops. */
  readonly signal: AbortSignal
  now(): number
  serverNowS(): number
  sleep(ms: number): Promise<void>
}

export class DcHandshakes {
  /** The last plain (unencrypted) msg_id: they must grow across this DC's handshakes. */
  #plainMsgId = 0n

  readonly #host: HandshakeHost
  readonly #rsaKeys: readonly RsaKey[]

  constructor(
    host: HandshakeHost,
    rsaKeys: readonly RsaKey[],
  ) {
    this.#host = host
    this.#rsaKeys = rsaKeys
  }

  /**
   * `backgroundUntil` (local ms): a planned rotation, with a bound key still carrying the
   * calls. Until then the maths runs in the config's background slices with pauses between
   * them instead of 1 ms slices and a bare macrotask turn, so the calls it runs beside keep
   * their latency. Past it (a slow machine, a throttled tab) the rest runs at full speed so
   * the current key does not run out first.
   */
  run(mode: HandshakeMode, purpose: ConnectionPurpose, backgroundUntil: number | null = null): Promise<Handshaken> {
    const host = this.#host
    const { options } = host
    if (host.isStopped) return Promise.reject(new EngineError('CLOSED', 'DC stopped'))
    const pacing = options.tempKeys
    const pause = (): Promise<void> =>
      backgroundUntil !== null && host.now() < backgroundUntil ? host.sleep(pacing.backgroundPauseMs) : yieldToEventLoop()
    // offline a socket could only fail: the attempt fails at once, and storm control paces
    // the next until online resets it (policy/session/lifecycle)
    if (options.net?.online === false) return Promise.reject(new TransportError('OFFLINE', 'offline'))
    return runHandshake({
      env: host.env,
      url: host.url,
      purpose,
      options: {
        mode,
        wireDcId: host.wireDcId,
        rsaKeys: this.#rsaKeys,
        random: host.env.random,
        // Slices are timed on the env's clock: on a virtual one (the simulation) the maths
        // never yields, so how fast this machine computes cannot change a seed's run.
        cooperative: {
          now: () => host.now(),
          ...(backgroundUntil !== null ? { sliceMs: pacing.backgroundSliceMs, yieldNow: pause } : {}),
          ...(host.env.modPow !== undefined ? { modPow: host.env.modPow } : {}),
        },
        dhPairs: options.dhPairs,
      },
      nextMsgId: () => (this.#plainMsgId = nextMsgId(this.#plainMsgId, host.serverNowS())),
      timeoutMs: pacing.stepTimeoutMs,
      signal: host.signal,
    })
  }
}
