import { describe, expect, it } from 'vitest'
import { connectionStatus, type StatusInput } from './connection-status.ts'

const base: StatusInput = { traffic: null, phase: 'unbound', next: { phase: 'idle' }, permLoading: false, started: true }

describe('connectionStatus', () => {
  it.each<{ rule: string; input: Partial<StatusInput>; want: ReturnType<typeof connectionStatus> }>([
    { rule: 'a bound key on an open connection → ready', input: { traffic: { up: true }, phase: 'bound' }, want: { status: 'ready', waitReason: null } },
    { rule: 'its connection down → backoff, reconnecting', input: { traffic: { up: false }, phase: 'bound' }, want: { status: 'backoff', waitReason: 'reconnect' } },
    { rule: 'an idle pool connection the server closed, waiting for its next call → idle (keepalive)', input: { traffic: { up: false, parked: true }, phase: 'bound' }, want: { status: 'idle', waitReason: null } },
    { rule: 'a bind that gave up → backoff, bind-failed', input: { phase: 'failed' }, want: { status: 'backoff', waitReason: 'bind-failed' } },
    { rule: 'storm control holds the next handshake → backoff with its reason', input: { next: { phase: 'waiting', until: 5, reason: 'rate-limit' } }, want: { status: 'backoff', waitReason: 'rate-limit' } },
    { rule: 'a key being bound → binding', input: { next: { phase: 'binding', key: { id: 'a', startedAtMs: 0, lifetimeS: 60, expiresAt: 60, renewAt: 30, unusableAt: 48 }, attempt: 1, rebinds: 0, step: { kind: 'sent', at: 0 } } }, want: { status: 'binding', waitReason: null } },
    { rule: 'a temp handshake running → handshaking', input: { next: { phase: 'handshake', lifetimeS: 60, startedAt: 0, startedAtServer: 0 } }, want: { status: 'handshaking', waitReason: null } },
    { rule: 'only the perm key being made → handshaking', input: { permLoading: true }, want: { status: 'handshaking', waitReason: null } },
    { rule: 'connect() asked, nothing under way yet → connecting', input: {}, want: { status: 'connecting', waitReason: null } },
    { rule: 'never asked to connect → idle', input: { started: false }, want: { status: 'idle', waitReason: null } },
  ])('$rule', ({ input, want }) => expect(connectionStatus({ ...base, ...input })).toEqual(want))
})
