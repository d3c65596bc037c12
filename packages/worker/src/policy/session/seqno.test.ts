import { describe, expect, it } from 'vitest'
import { NEW_SESSION_SEQNO, isContentRelated, nextSeqno, type MessageKind } from './seqno.ts'

describe('isContentRelated', () => {
  it.each<{ rule: string; kind: MessageKind; want: boolean }>([
    { rule: 'enc §5: RPC queries are content-related (else error 35)', kind: 'rpc-query', want: true },
    { rule: 'enc §5: ping expects a pong, so it is content-related', kind: 'ping', want: true },
    { rule: 'enc §5: get_future_salts is a query', kind: 'get-future-salts', want: true },
    { rule: 'enc §5: msgs_ack never content-related (else error 34)', kind: 'msgs-ack', want: false },
    { rule: 'enc §5: msg_container never content-related', kind: 'msg-container', want: false },
    { rule: 'enc §5: msg_copy never content-related', kind: 'msg-copy', want: false },
    { rule: 'enc §5: gzip_packed never content-related', kind: 'gzip-packed', want: false },
  ])('$rule', ({ kind, want }) => expect(isContentRelated(kind)).toBe(want))
})

describe('nextSeqno', () => {
  it.each<{ rule: string; kinds: MessageKind[]; want: number[] }>([
    { rule: 'enc §5: first content message gets 2·0+1', kinds: ['rpc-query'], want: [1] },
    { rule: 'enc §5: non-content gets 2n and does not advance', kinds: ['msgs-ack', 'msgs-ack'], want: [0, 0] },
    { rule: 'enc §5: content advances n', kinds: ['rpc-query', 'rpc-query', 'rpc-query'], want: [1, 3, 5] },
    { rule: 'enc §5: container after its contents has seq_no ≥ theirs', kinds: ['rpc-query', 'msgs-ack', 'rpc-query', 'msg-container'], want: [1, 2, 3, 4] },
  ])('$rule', ({ kinds, want }) => {
    let state = NEW_SESSION_SEQNO
    const got = kinds.map((k) => {
      const r = nextSeqno(state, k)
      state = r.state
      return r.seqno
    })
    expect(got).toEqual(want)
  })
})
