/** What each received message does, on fake ports (mtproto-tl.md §4, encryption.md §5–6). */
import { serializeObject, type TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import type { CallDriver } from './calls.ts'
import { dispatch, type DispatchHost } from './dispatch.ts'
import type { Lane } from './lane.ts'
import type { ServiceRequests } from './service-requests.ts'

const T = 1_700_000_000
const idAt = (s: number) => BigInt(s) << 32n

function fakeDc(o: { serviceAnswers?: boolean } = {}) {
  const log: string[] = []
  const lane = {
    session: { sessionId: 5n, lastMsgId: 0n, sentRecently: () => true },
    renumberOnSync: false,
    salt: (e: { type: string }) => void log.push(`salt ${e.type}`),
    resetSession: () => void log.push('reset session'),
  }
  const calls = {
    step: (e: { type: string }) => void log.push(`calls ${e.type}`),
    flush: () => void log.push('calls flush'),
    onResult: async () => (log.push('calls result'), true),
  }
  const service = {
    answer: () => (log.push('service answer'), o.serviceAnswers ?? false),
    resend: () => void log.push('service resend'),
    holdForClock: () => void log.push('service hold'),
    clockSynced: () => void log.push('service clock-synced'),
  }
  const host: DispatchHost = {
    dcId: 2,
    hooks: { changed: () => undefined, keyEvent: () => undefined, update: (dc, bytes) => void log.push(`update dc${dc} ${bytes.length} B`) },
    calls: calls as unknown as CallDriver,
    service: service as unknown as ServiceRequests,
    lanes: new Map([['k', lane as unknown as Lane]]),
    setError: () => void log.push('error'),
    updateGap: (_lane, reason) => void log.push(`gap ${reason}`),
    clockEvent: () => false,
    requestRotation: () => void log.push('rotate'),
    now: () => 0,
    serverNowS: () => T,
  }
  const receive = (obj: TlObject) => dispatch(host, lane as unknown as Lane, { msgId: idAt(T) + 1n, seqno: 1, obj })
  return { receive, log }
}

describe('dispatch', () => {
  it.each<{ rule: string; obj: TlObject; serviceAnswers?: boolean; want: string[] }>([
    { rule: 'enc §5: an rpc_result for a call goes to the calls', obj: { _: 'rpc_result', req_msg_id: 8n, result: { _: 'boolTrue' } }, want: ['service answer', 'calls result'] },
    { rule: 'an rpc_result the runtime waits for itself (the bind) never reaches the calls', obj: { _: 'rpc_result', req_msg_id: 8n, result: { _: 'boolTrue' } }, serviceAnswers: true, want: ['service answer'] },
    { rule: 'enc §5: new_session_created → its salt, calls sent before first_msg_id resent, and an update gap reported (issue #16)', obj: { _: 'new_session_created', first_msg_id: 4n, unique_id: 1n, server_salt: 9n }, want: ['salt new-session-created', 'calls new-session-created', 'gap new-session'] },
    { rule: 'enc §6 (48): bad_server_salt → the new salt, then the message is resent', obj: { _: 'bad_server_salt', bad_msg_id: 8n, bad_msg_seqno: 1, error_code: 48, new_server_salt: 9n }, want: ['salt bad-server-salt', 'service resend', 'calls bad-msg', 'calls flush'] },
    { rule: 'enc §6 (32/33): seq_no out of step → a new session, everything resent there', obj: { _: 'bad_msg_notification', bad_msg_id: 8n, bad_msg_seqno: 1, error_code: 32 }, want: ['reset session', 'calls session-lost', 'service resend', 'calls bad-msg', 'calls flush'] },
    { rule: 'future_salts → stored for later', obj: { _: 'future_salts', req_msg_id: 8n, now: T, salts: [{ valid_since: T, valid_until: T + 3600, salt: 3n }] }, want: ['salt future-salts'] },
    { rule: 'acks and state notices need nothing', obj: { _: 'msgs_ack', msg_ids: [8n] }, want: [] },
  ])('$rule', ({ obj, serviceAnswers, want }) => {
    const dc = fakeDc(serviceAnswers === undefined ? {} : { serviceAnswers })
    dc.receive(obj)
    expect(dc.log).toEqual(want)
  })

  it('anything else is a server update for the page, passed on as its bytes', () => {
    const dc = fakeDc()
    const update: TlObject = { _: 'updateShort', update: { _: 'updateConfig' }, date: T }
    dc.receive(update)
    expect(dc.log).toEqual([`update dc2 ${serializeObject(update).length} B`])
  })

  it('issue #16: updatesTooLong is passed on raw, and reported as an update gap', () => {
    const dc = fakeDc()
    dc.receive({ _: 'updatesTooLong' })
    expect(dc.log).toEqual(['update dc2 4 B', 'gap updates-too-long'])
  })
})
