/**
 * Binding a temp key (encryption.md §7, pfs-and-errors.md §2): auth.bindTempAuthKey on the
 * lane's own session, with pfs/bind-errors deciding what each failure means.
 */
import type { TlObject } from '@pfs-web/tl'
import { EngineError } from '../errors.ts'
import { onBindError, type BindDecision } from '../pfs/bind-errors.ts'
import { stepStorm } from '../pfs/storm-control.ts'
import { bindRequest } from './bind.ts'
import type { DcRuntime } from './dc-runtime.ts'
import type { Lane } from './lane.ts'
import { scheduleRotation } from './rotation.ts'

const BIND_TIMEOUT_MS = 20_000
const MAX_SEND_FAILURES = 8

/**
 * auth.bindTempAuthKey with pfs/bind-errors deciding what a failure means. For the
 * traffic lane a failure may replace the temp key; for a rotation's next lane it throws
 * and the rotation is retried later.
 */
export async function bindWithPolicy(dc: DcRuntime, lane: Lane, role: 'traffic' | 'next'): Promise<void> {
  let sendFailures = 0
  for (let attempt = 1; ; attempt++) {
    dc.assertLive()
    if (!dc.keys.has(lane.key)) {
      // -404 arrived mid-bind: the key is gone (recover() dropped it).
      if (role === 'next') throw new EngineError('KEY_DROPPED', 'next temp key forgotten')
      await dc.replaceTemp(lane)
      return
    }
    let failure: Parameters<typeof onBindError>[0]
    try {
      const result = await sendBind(dc, lane)
      if (result._ === 'boolTrue') {
        lane.bound = true
        lane.needsInit = true
        dc.counters.binds++
        dc.storm = stepStorm(dc.storm, { type: 'bound' }, dc.now(), () => dc.rand()).state
        dc.hooks.keyEvent(dc.event('bound', lane.key))
        scheduleRotation(dc, lane)
        dc.schedulePing()
        return
      }
      failure = result._ === 'rpc_error' ? { kind: 'rpc-error', code: result.error_code, message: result.error_message } : { kind: 'bool-false' }
    } catch (err) {
      dc.setError(err)
      if (++sendFailures > MAX_SEND_FAILURES) throw err
      await dc.sleep(500 * sendFailures)
      if (!lane.isUp && dc.keys.has(lane.key)) await dc.reopen(lane)
      continue
    }
    const decision: BindDecision = onBindError(
      failure,
      { permKeyAgeS: dc.permAgeS(), attempt, clock: dc.clock.sync, probe: attempt > 1 ? 'dead' : 'not-probed' },
      () => dc.rand(),
    )
    dc.setError(new EngineError(failure.kind === 'rpc-error' ? failure.message : 'BIND_FALSE', `bind failed (${decision.action})`))
    switch (decision.action) {
      case 'retry-bind':
        await dc.sleep(decision.delayMs)
        continue
      case 'resync-time-and-retry':
        continue
      case 'probe-perm-key':
      case 'new-temp-key':
        // A fresh temp key is the probe this client can make without sending anything under the perm key.
        if (role === 'next') throw new EngineError('BIND_FAILED', decision.action)
        await dc.replaceTemp(lane)
        return
      case 'drop-perm-key':
        await dc.dropPerm()
        if (role === 'next') throw new EngineError('BIND_FAILED', decision.action)
        await dc.replaceTemp(lane)
        return
      case 'report':
        if (role === 'next') throw new EngineError('BIND_FAILED', String(decision.code))
        dc.phase = 'failed'
        dc.setStatus('backoff', 'bind-failed')
        dc.calls.flush()
        throw new EngineError('NOT_BOUND', `bind failed for good: ${decision.code}`)
    }
  }
}

function sendBind(dc: DcRuntime, lane: Lane): Promise<TlObject> {
  const perm = dc.perm
  if (!perm) return Promise.reject(new EngineError('NO_PERM_KEY', 'bind without a perm key'))
  const expiresAt = lane.key.expiresAt ?? Math.floor(dc.serverNowS()) + dc.options.tempKeyLifetimeS[0]
  const body = bindRequest({ keys: dc.keys, perm, temp: lane.key, tempSessionId: lane.session.sessionId, expiresAt, random: dc.env.random })
  return dc.service.request(lane, body, BIND_TIMEOUT_MS)
}
