import { describe, expect, it } from 'vitest'
import { AWAKE, CHECK_GAP_MS, stepLifecycle, type LifecycleAction, type LifecycleEvent, type LifecycleState } from './lifecycle.ts'

const T = 1_000_000
const OFFLINE: LifecycleState = { online: false, checkedAt: null }
const JUST_CHECKED: LifecycleState = { online: true, checkedAt: T - CHECK_GAP_MS + 1 }

describe('stepLifecycle: network and page changes (issue #16)', () => {
  it.each<{ rule: string; state: LifecycleState; event: LifecycleEvent; actions: LifecycleAction[]; online: boolean }>([
    { rule: 'offline: the gate closes (no reopen, no handshake opens a socket), nothing else to do', state: AWAKE, event: 'offline', actions: [], online: false },
    { rule: 'online after offline: reconnect now (backoff reset), then check keys and sockets', state: OFFLINE, event: 'online', actions: ['reconnect', 'check'], online: true },
    { rule: 'reconnect() while offline: the embedder knows better, reconnect now', state: OFFLINE, event: 'reconnect', actions: ['reconnect', 'check'], online: true },
    { rule: 'reconnect() right after a check still reconnects', state: JUST_CHECKED, event: 'reconnect', actions: ['reconnect', 'check'], online: true },
    { rule: 'page shown again: check at once', state: AWAKE, event: 'visible', actions: ['check'], online: true },
    { rule: 'resumed from freeze: check at once', state: AWAKE, event: 'resume', actions: ['check'], online: true },
    { rule: 'a sleep the clocks betray: check at once', state: AWAKE, event: 'slept', actions: ['check'], online: true },
    { rule: 'a wake reported twice within the gap: checked once', state: JUST_CHECKED, event: 'resume', actions: [], online: true },
    { rule: 'a wake after the gap: checked again', state: { online: true, checkedAt: T - CHECK_GAP_MS }, event: 'visible', actions: ['check'], online: true },
    { rule: 'a wake while offline: nothing can be checked, keep holding', state: OFFLINE, event: 'resume', actions: [], online: false },
    { rule: 'page hidden: nothing to do before the pause', state: AWAKE, event: 'hidden', actions: [], online: true },
    { rule: 'page frozen: nothing to do before the pause', state: AWAKE, event: 'freeze', actions: [], online: true },
  ])('$rule', ({ state, event, actions, online }) => {
    const r = stepLifecycle(state, event, T)!
    expect(r.actions).toEqual(actions)
    expect(r.state.online).toBe(online)
    if (actions.includes('check')) expect(r.state.checkedAt).toBe(T)
  })

  it('anything else is no event (the engine answers BAD_REQUEST)', () => {
    expect(stepLifecycle(AWAKE, 'sleep' as LifecycleEvent, T)).toBeNull()
  })
})
