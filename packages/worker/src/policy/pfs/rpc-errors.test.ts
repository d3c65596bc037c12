import { describe, expect, it } from 'vitest'
import { onRpcError, type RpcErrorDecision } from './rpc-errors.ts'

describe('onRpcError', () => {
  it.each<{ rule: string; code: number; message: string; want: RpcErrorDecision }>([
    { rule: 'pfs §3: AUTH_KEY_PERM_EMPTY → rebind and resend', code: 401, message: 'AUTH_KEY_PERM_EMPTY', want: { action: 'rebind-and-resend' } },
    { rule: 'pfs §3: CONNECTION_NOT_INITED → resend wrapped in initConnection', code: 400, message: 'CONNECTION_NOT_INITED', want: { action: 'resend-with-init' } },
    { rule: 'pfs §3: CONNECTION_LAYER_INVALID → resend wrapped in initConnection', code: 400, message: 'CONNECTION_LAYER_INVALID', want: { action: 'resend-with-init' } },
    { rule: 'pfs §3: AUTH_KEY_UNREGISTERED → embedder decides', code: 401, message: 'AUTH_KEY_UNREGISTERED', want: { action: 'unauthorized', reason: 'AUTH_KEY_UNREGISTERED' } },
    { rule: 'pfs §3: SESSION_REVOKED → embedder decides', code: 401, message: 'SESSION_REVOKED', want: { action: 'unauthorized', reason: 'SESSION_REVOKED' } },
    { rule: 'pfs §3: AUTH_KEY_DUPLICATED → new perm key', code: 406, message: 'AUTH_KEY_DUPLICATED', want: { action: 'new-perm-key' } },
    { rule: 'pfs §4: FLOOD_WAIT_X → wait X s', code: 420, message: 'FLOOD_WAIT_37', want: { action: 'flood-wait', seconds: 37 } },
    { rule: 'pfs §4: FLOOD_PREMIUM_WAIT_X → wait X s', code: 420, message: 'FLOOD_PREMIUM_WAIT_5', want: { action: 'flood-wait', seconds: 5 } },
    { rule: 'pfs §4: 303 USER_MIGRATE_X → repeat on DC X', code: 303, message: 'USER_MIGRATE_4', want: { action: 'migrate', dc: 4, kind: 'USER' } },
    { rule: 'pfs §4: 303 FILE_MIGRATE_X → repeat on DC X', code: 303, message: 'FILE_MIGRATE_2', want: { action: 'migrate', dc: 2, kind: 'FILE' } },
    { rule: 'pfs §4: 500 → retry later', code: 500, message: 'INTERNAL', want: { action: 'retry-later' } },
    { rule: 'pfs §2: -503 Timeout → retry later', code: -503, message: 'Timeout', want: { action: 'retry-later' } },
    { rule: 'pfs §4 (TDLib): error_code 0 → 500', code: 0, message: 'X', want: { action: 'retry-later' } },
    { rule: 'pfs §4 (TDLib): error_code outside ±9999 → 500', code: 10_000, message: 'X', want: { action: 'retry-later' } },
    { rule: 'pfs §4: any other code counts as 500', code: 502, message: 'BAD_GATEWAY', want: { action: 'retry-later' } },
    { rule: 'pfs §4: 400 is the call’s answer', code: 400, message: 'PHONE_NUMBER_INVALID', want: { action: 'deliver' } },
    { rule: 'pfs §4: a malformed flood error is the call’s answer', code: 420, message: 'FLOOD_WAIT_', want: { action: 'deliver' } },
  ])('$rule', ({ code, message, want }) => expect(onRpcError(code, message)).toEqual(want))
})
