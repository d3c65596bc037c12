/**
 * Message families: what an rpc_result carries, the service messages around it, and the
 * containers they travel in (mtproto-tl.md §4, encryption.md §5–6). Each rewrites the first
 * packet that answers one of the case's calls.
 */
import { gzipSync } from 'node:zlib'
import { serializeObject, type TlObject } from '@pfs-web/tl'
import type { Prng } from '../prng.ts'
import type { MsgIdSource, OutMessage } from '../server/hooks.ts'
import { once, type Family } from './case-spec.ts'
import { concat } from '../bytes.ts'

const ERROR_CODES = [303, 400, 401, 403, 404, 406, 420, 500, -503, 0, -1, 2 ** 31 - 1] as const
const ERROR_MESSAGES = ['FLOOD_WAIT_3', 'FLOOD_WAIT_100000', 'AUTH_KEY_PERM_EMPTY', 'AUTH_KEY_UNREGISTERED', 'CONNECTION_NOT_INITED', 'CONNECTION_LAYER_INVALID', 'PHONE_MIGRATE_4', 'TIMEOUT', 'INTERNAL', '', 'x'.repeat(5000)] as const
/** 64 MiB of zeros: 64 KiB on the wire, four times the engine's per-answer cap. */
let bomb: Uint8Array | null = null
const gzipBomb = (): Uint8Array => (bomb ??= new Uint8Array(gzipSync(new Uint8Array(64 << 20), { level: 9 })))

const answerIndex = (ms: OutMessage[]): number => ms.findIndex((m) => !(m.body instanceof Uint8Array) && m.body._ === 'rpc_result')
const reqOf = (m: OutMessage): bigint => (!(m.body instanceof Uint8Array) && m.body._ === 'rpc_result' ? m.body.req_msg_id : 0n)

/** Rewrites the first packet carrying an rpc_result: `f` gets the messages and the answer's index. */
export function onAnswer(f: (ms: OutMessage[], at: number, ids: MsgIdSource) => OutMessage[]): (ms: OutMessage[], ids: MsgIdSource) => OutMessage[] | undefined {
  return once((ms: OutMessage[], ids: MsgIdSource) => {
    const at = answerIndex(ms)
    return at < 0 ? undefined : f(ms.slice(), at, ids)
  })
}

function withResult(ms: OutMessage[], at: number, result: TlObject | Uint8Array, reqMsgId?: bigint): OutMessage[] {
  const req = reqMsgId ?? reqOf(ms[at] as OutMessage)
  const body: TlObject | Uint8Array =
    result instanceof Uint8Array ? concat(serializeObject({ _: 'rpc_result', req_msg_id: req, result: { _: 'boolTrue' } }).subarray(0, 12), result) : { _: 'rpc_result', req_msg_id: req, result }
  ms[at] = { ...(ms[at] as OutMessage), body }
  return ms
}

function result(rng: Prng): { what: string; result: TlObject | Uint8Array } {
  switch (rng.int(9)) {
    case 0: {
      const code = rng.pick(ERROR_CODES)
      const message = rng.pick(ERROR_MESSAGES)
      return { what: `rpc_error ${code} ${message.slice(0, 30)}`, result: { _: 'rpc_error', error_code: code, error_message: message } }
    }
    case 1:
      return { what: 'raw bytes', result: rng.bytes(4 * rng.range(0, 256)) }
    case 2:
      return { what: 'gzip bomb', result: { _: 'gzip_packed', packed_data: gzipBomb() } }
    case 3:
      return { what: 'gzip of garbage', result: { _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(rng.bytes(rng.range(0, 600)))) } }
    case 4: {
      const good = gzipSync(serializeObject({ _: 'boolTrue' }))
      return { what: 'corrupt gzip', result: { _: 'gzip_packed', packed_data: good.subarray(0, rng.range(0, good.length - 1)) } }
    }
    case 5:
      return { what: 'gzip in gzip', result: { _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(serializeObject({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(new Uint8Array(1 << 20))) }))) } }
    case 6:
      return { what: 'a service object as result', result: rng.pick<TlObject>([{ _: 'boolFalse' }, { _: 'pong', msg_id: 1n, ping_id: 2n }, { _: 'msg_container', messages: [] }, { _: 'rpc_result', req_msg_id: 0n, result: { _: 'boolTrue' } }]) }
    case 7:
      return { what: 'unknown constructor', result: new Uint8Array(new Uint32Array([rng.u32(), rng.u32()]).buffer) }
    default:
      return { what: 'rpc_answer_unknown', result: { _: 'rpc_answer_unknown' } }
  }
}

export const rpcResult: Family = {
  name: 'rpc-result',
  weight: 14,
  make(rng) {
    const kind = rng.int(5)
    if (kind === 0) {
      const req = rng.pick(['random', 'zero', 'next', 'negated'] as const)
      return {
        family: this.name,
        what: `req_msg_id ${req}`,
        action: 'calls',
        hooks: {
          messages: onAnswer((ms, at) => {
            const r = reqOf(ms[at] as OutMessage)
            const id = req === 'random' ? rng.long() : req === 'zero' ? 0n : req === 'next' ? r + 4n : -r
            const m = ms[at] as OutMessage
            ms[at] = { ...m, body: { ...(m.body as TlObject & { _: 'rpc_result' }), req_msg_id: id } }
            return ms
          }),
        },
      }
    }
    if (kind === 1) return { family: this.name, what: 'answer dropped', action: 'calls', hooks: { messages: onAnswer((ms, at) => ms.filter((_, i) => i !== at)) } }
    if (kind === 2) {
      return { family: this.name, what: 'answer twice', action: 'calls', hooks: { messages: onAnswer((ms, at) => [...ms, { ...(ms[at] as OutMessage), msgId: undefined }]) } }
    }
    const r = result(rng)
    return { family: this.name, what: r.what, action: 'calls', hooks: { messages: onAnswer((ms, at) => withResult(ms, at, r.result)) } }
  },
}

interface Drawn {
  what: string
  build(ours: bigint): OutMessage
}

function serviceMessage(rng: Prng): Drawn {
  const targetOurs = rng.bool(0.6)
  const t = (ours: bigint): bigint => (targetOurs ? ours : rng.long())
  const msg = (what: string, content: boolean, body: (ours: bigint) => TlObject | Uint8Array): Drawn => ({ what, build: (ours) => ({ body: body(ours), content, answer: false }) })
  switch (rng.int(12)) {
    case 0: {
      const code = rng.pick([16, 17, 18, 19, 20, 32, 33, 34, 35, 48, 64, rng.u32() | 0])
      return msg(`bad_msg ${code}`, false, (o) => ({ _: 'bad_msg_notification', bad_msg_id: t(o), bad_msg_seqno: rng.int(100), error_code: code }))
    }
    case 1:
      return msg('bad_server_salt', false, (o) => ({ _: 'bad_server_salt', bad_msg_id: t(o), bad_msg_seqno: 1, error_code: 48, new_server_salt: rng.long() }))
    case 2:
      return msg('new_session_created', true, (o) => ({ _: 'new_session_created', first_msg_id: rng.bool() ? t(o) : rng.long(), unique_id: rng.long(), server_salt: rng.long() }))
    case 3: {
      const n = rng.pick([0, 1, 64, 3000])
      const base = rng.pick([0, -1, 2 ** 31 - 1, 1_700_000_000])
      return msg(`future_salts ×${n} around ${base}`, false, (o) => ({
        _: 'future_salts',
        req_msg_id: t(o),
        now: base,
        salts: Array.from({ length: n }, () => ({ _: 'future_salt' as const, valid_since: int32(base + rng.range(-1e6, 1e6)), valid_until: int32(base + rng.range(-1e6, 1e6)), salt: rng.long() })),
      }))
    }
    case 4: {
      const n = rng.pick([0, 1, 8192, 20000])
      return msg(`msgs_ack ×${n}`, false, () => ({ _: 'msgs_ack', msg_ids: Array.from({ length: n }, () => rng.long()) }))
    }
    case 5:
      return msg('msg_detailed_info', false, (o) => ({ _: 'msg_detailed_info', msg_id: t(o), answer_msg_id: rng.long(), bytes: rng.u32() | 0, status: rng.u32() | 0 }))
    case 6:
      return msg('msg_new_detailed_info', false, () => ({ _: 'msg_new_detailed_info', answer_msg_id: rng.long(), bytes: rng.u32() | 0, status: 0 }))
    case 7:
      return msg('msgs_state_info', false, (o) => ({ _: 'msgs_state_info', req_msg_id: t(o), info: rng.bytes(rng.range(0, 5000)) }))
    case 8:
      return msg('msgs_all_info', false, (o) => ({ _: 'msgs_all_info', msg_ids: [t(o), rng.long()], info: rng.bytes(rng.range(0, 3)) }))
    case 9:
      return msg('pong', false, (o) => ({ _: 'pong', msg_id: t(o), ping_id: rng.long() }))
    case 10:
      return msg('destroy_session_*', false, () => ({ _: rng.bool() ? 'destroy_session_ok' : 'destroy_session_none', session_id: rng.long() }))
    default:
      return msg('unknown top-level object', true, () => new Uint8Array(new Uint32Array([rng.u32(), rng.u32(), rng.u32()]).buffer))
  }
}

export const service: Family = {
  name: 'service',
  weight: 14,
  make(rng) {
    const drawn = Array.from({ length: rng.range(1, 3) }, () => serviceMessage(rng))
    const replace = rng.bool(0.3)
    const before = rng.bool()
    return {
      family: this.name,
      what: `${replace ? 'answer replaced by ' : ''}${drawn.map((d) => d.what).join(', ')}`,
      action: 'calls',
      hooks: {
        messages: onAnswer((ms, at) => {
          const extra = drawn.map((d) => d.build(reqOf(ms[at] as OutMessage)))
          const rest = replace ? ms.filter((_, i) => i !== at) : ms
          return before ? [...extra, ...rest] : [...rest, ...extra]
        }),
      },
    }
  },
}

export const container: Family = {
  name: 'container',
  weight: 10,
  make(rng) {
    const kind = rng.pick(['nested', 'empty', 'oversized', 'inner-id-above', 'duplicate-inner', 'bytes-lie', 'even-inner'] as const)
    return {
      family: this.name,
      what: kind,
      action: 'calls',
      hooks: {
        messages: onAnswer((ms, at, ids) => {
          const inner = ms.map((m) => ({ msg_id: m.msgId ?? ids.next(m.answer), seqno: m.content ? 1 : 0, body: m.body }))
          const entry = (m: (typeof inner)[number], lie = 0) => {
            const bytes = m.body instanceof Uint8Array ? m.body : serializeObject(m.body)
            return { msg_id: m.msg_id, seqno: m.seqno, bytes: bytes.length + lie, body: { _: 'raw' as const, id: new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true), bytes } }
          }
          let body: TlObject
          switch (kind) {
            case 'nested': {
              body = { _: 'msg_container', messages: inner.map((m) => entry(m)) }
              for (let d = rng.range(1, 7); d > 0; d--) body = { _: 'msg_container', messages: [{ msg_id: rng.long() | 1n, seqno: 0, bytes: serializeObject(body).length, body }] }
              break
            }
            case 'empty':
              return [{ body: { _: 'msg_container', messages: [] }, content: false, answer: false }, ...ms]
            case 'oversized': {
              const ack: TlObject = { _: 'msgs_ack', msg_ids: [1n] }
              body = { _: 'msg_container', messages: [...inner.map((m) => entry(m)), ...Array.from({ length: 1025 }, () => entry({ body: ack, msg_id: ids.next(false), seqno: 0 }))] }
              break
            }
            case 'inner-id-above':
              body = { _: 'msg_container', messages: inner.map((m) => entry({ ...m, msg_id: m.msg_id + (1n << 40n) })) }
              break
            case 'duplicate-inner':
              body = { _: 'msg_container', messages: [...inner.map((m) => entry(m)), ...inner.map((m) => entry(m))] }
              break
            case 'bytes-lie':
              body = { _: 'msg_container', messages: inner.map((m, i) => entry(m, i === at ? rng.pick([-4, 4, 1, 1 << 24]) : 0)) }
              break
            case 'even-inner':
              body = { _: 'msg_container', messages: inner.map((m) => entry({ ...m, msg_id: m.msg_id & ~1n })) }
              break
          }
          return [{ body, content: false, answer: false }]
        }),
      },
    }
  },
}


function int32(n: number): number {
  return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, n))
}
