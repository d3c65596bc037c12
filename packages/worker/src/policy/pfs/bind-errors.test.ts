import { describe, expect, it } from 'vitest'
import { onBindError, type BindContext, type BindDecision, type BindFailure } from './bind-errors.ts'

const err = (message: string, code = 400): BindFailure => ({ kind: 'rpc-error', code, message })
const ctx = (over: Partial<BindContext> = {}): BindContext => ({ permKeyAgeS: 3600, attempt: 1, clock: 'synced', permVerdict: 'none', ...over })
const EMI = err('ENCRYPTED_MESSAGE_INVALID')

describe('onBindError', () => {
  it.each<{ rule: string; failure: BindFailure; ctx: BindContext; want: BindDecision }>([
    { rule: 'pfs §2: ENCRYPTED_MESSAGE_INVALID, perm key ≤ 60 s old → retry the bind', failure: EMI, ctx: ctx({ permKeyAgeS: 59 }), want: { action: 'retry-bind', delayMs: 750 } },
    { rule: 'pfs §2: ENCRYPTED_MESSAGE_INVALID, perm key exactly 60 s → still fresh', failure: EMI, ctx: ctx({ permKeyAgeS: 60 }), want: { action: 'retry-bind', delayMs: 750 } },
    { rule: 'pfs §2: ENCRYPTED_MESSAGE_INVALID, perm key > 60 s → weigh the evidence before believing it dead', failure: EMI, ctx: ctx({ permKeyAgeS: 61 }), want: { action: 'judge-perm-key' } },
    { rule: 'pfs §2: ENCRYPTED_MESSAGE_INVALID, perm key age unknown → judge it', failure: EMI, ctx: ctx({ permKeyAgeS: null }), want: { action: 'judge-perm-key' } },
    { rule: 'pfs §2: fresh perm key but retries exhausted → judge it', failure: EMI, ctx: ctx({ permKeyAgeS: 10, attempt: 5 }), want: { action: 'judge-perm-key' } },
    { rule: 'pfs §2 (TDLib): the evidence proved the perm key dead → drop it (logged out)', failure: EMI, ctx: ctx({ permVerdict: 'dead' }), want: { action: 'drop-perm-key' } },
    { rule: 'pfs §2 (TDLib): never drop on an unreliable clock → resync first', failure: EMI, ctx: ctx({ permVerdict: 'dead', clock: 'unsynced' }), want: { action: 'resync-time-and-retry' } },
    { rule: 'pfs §2: the perm key judged alive → the temp key is at fault', failure: EMI, ctx: ctx({ permVerdict: 'alive' }), want: { action: 'new-temp-key' } },
    { rule: 'pfs §2: TEMP_AUTH_KEY_EMPTY → new temp key and bind', failure: err('TEMP_AUTH_KEY_EMPTY'), ctx: ctx(), want: { action: 'new-temp-key' } },
    { rule: 'pfs §2: TEMP_AUTH_KEY_ALREADY_BOUND → new temp key and bind', failure: err('TEMP_AUTH_KEY_ALREADY_BOUND'), ctx: ctx(), want: { action: 'new-temp-key' } },
    { rule: 'pfs §2: TEMP_AUTH_KEY_ALREADY_BOUND forever → report, no loop', failure: err('TEMP_AUTH_KEY_ALREADY_BOUND'), ctx: ctx({ attempt: 5 }), want: { action: 'report', code: 'TEMP_AUTH_KEY_ALREADY_BOUND' } },
    { rule: 'pfs §2: EXPIRES_AT_INVALID first → resync server time and retry', failure: err('EXPIRES_AT_INVALID'), ctx: ctx(), want: { action: 'resync-time-and-retry' } },
    { rule: 'pfs §2: EXPIRES_AT_INVALID again → new temp key', failure: err('EXPIRES_AT_INVALID'), ctx: ctx({ attempt: 2 }), want: { action: 'new-temp-key' } },
    { rule: 'pfs §2: EXPIRES_AT_INVALID after two other failures of the key (it is near expiry) → new temp key, not give up', failure: err('EXPIRES_AT_INVALID'), ctx: ctx({ attempt: 3 }), want: { action: 'new-temp-key' } },
    { rule: 'pfs §2: EXPIRES_AT_INVALID with the attempt budget spent → report, no loop', failure: err('EXPIRES_AT_INVALID'), ctx: ctx({ attempt: 5 }), want: { action: 'report', code: 'EXPIRES_AT_INVALID' } },
    { rule: 'pfs §2: boolFalse is a failure → new temp key', failure: { kind: 'bool-false' }, ctx: ctx(), want: { action: 'new-temp-key' } },
    { rule: 'pfs §2: boolFalse repeatedly → report', failure: { kind: 'bool-false' }, ctx: ctx({ attempt: 5 }), want: { action: 'report', code: 'BIND_FALSE' } },
    { rule: 'pfs §2: -503 Timeout → retry with backoff (attempt 3: 4 s ceiling)', failure: err('Timeout', -503), ctx: ctx({ attempt: 3 }), want: { action: 'retry-bind', delayMs: 3000 } },
    { rule: 'pfs §4: 500 → retry with backoff', failure: err('INTERNAL', 500), ctx: ctx(), want: { action: 'retry-bind', delayMs: 750 } },
    { rule: 'pfs §4 (TDLib): error_code 0 counts as 500', failure: err('X', 0), ctx: ctx(), want: { action: 'retry-bind', delayMs: 750 } },
    { rule: 'pfs §4: server errors stop after the attempt budget', failure: err('INTERNAL', 500), ctx: ctx({ attempt: 5 }), want: { action: 'report', code: 500 } },
    { rule: 'pfs §2: INPUT_REQUEST_TOO_LONG is a client bug → report', failure: err('INPUT_REQUEST_TOO_LONG'), ctx: ctx(), want: { action: 'report', code: 'INPUT_REQUEST_TOO_LONG' } },
    { rule: 'pfs §2: unknown error → report', failure: err('SOMETHING_NEW'), ctx: ctx(), want: { action: 'report', code: 'SOMETHING_NEW' } },
  ])('$rule', ({ failure, ctx, want }) => expect(onBindError(failure, ctx, () => 0.5)).toEqual(want))
})
