import { describe, expect, it } from 'vitest'
import { stepInit, wrapsNext, type InitEvent, type InitState } from './init-connection.ts'

describe('initConnection', () => {
  it.each<{ rule: string; state: InitState; event: InitEvent; want: InitState }>([
    { rule: 'pfs §1.5: after each bind the next query is wrapped in initConnection', state: 'done', event: { type: 'bound' }, want: 'needed' },
    { rule: 'pfs §1.5: a reopened connection carries the wrapper again', state: 'done', event: { type: 'reopened' }, want: 'needed' },
    { rule: 'api/invoking: an answer to a wrapped query means the server has the client info', state: 'needed', event: { type: 'answered', wrapped: true }, want: 'done' },
    { rule: 'api/invoking: an answer to a plain query sent before the wrapper changes nothing', state: 'needed', event: { type: 'answered', wrapped: false }, want: 'needed' },
    { rule: 'pfs §3: CONNECTION_NOT_INITED → the resend goes wrapped', state: 'done', event: { type: 'not-inited' }, want: 'needed' },
  ])('$rule', ({ state, event, want }) => expect(stepInit(state, event)).toBe(want))

  it('wraps exactly while needed', () => {
    expect(wrapsNext('needed')).toBe(true)
    expect(wrapsNext('done')).toBe(false)
  })
})
