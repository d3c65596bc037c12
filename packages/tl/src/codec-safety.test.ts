import { describe, expect, it } from 'vitest'
import { codeOf } from '../test/error-code.ts'
import { fromHex, toHex } from '../test/hex.ts'
import {
  MAX_DEPTH,
  TlReader,
  TlWriter,
  constructorId,
  decodeBare,
  decodeObject,
  deserializeObject,
  encodeBare,
  serializeObject,
} from './index.ts'
import type { TlObject, TlOf } from './index.ts'


const words = (...ids: number[]): TlWriter => {
  const w = new TlWriter()
  for (const id of ids) w.uint32(id)
  return w
}

const PING = constructorId('ping')
const MSGS_ACK = constructorId('msgs_ack')
const VECTOR = 0x1cb5c415
const UNKNOWN = 0x0badf00d

describe('Object/!X positions keep unknown ids as TlRaw (the embedder brings its own API TL)', () => {
  it('rpc_result.result with an unknown id spans the rest of the buffer', () => {
    const buf = words(constructorId('rpc_result')).int64(42n).uint32(UNKNOWN).int32(1).int32(2).finish()
    expect(deserializeObject(buf)).toEqual({
      _: 'rpc_result',
      req_msg_id: 42n,
      result: { _: 'raw', id: UNKNOWN, bytes: buf.slice(12) },
    })
    expect(serializeObject(deserializeObject(buf))).toEqual(buf)
  })

  it('message.body with an unknown id spans exactly `bytes`, then the next message follows', () => {
    const w = words(constructorId('msg_container')).int32(2)
    w.int64(4n).int32(1).int32(8).uint32(UNKNOWN).int32(7)
    w.int64(8n).int32(3).int32(12).uint32(PING).int64(9n)
    const c = deserializeObject(w.finish()) as TlOf<'msg_container'>
    expect(c.messages).toEqual([
      { msg_id: 4n, seqno: 1, bytes: 8, body: { _: 'raw', id: UNKNOWN, bytes: fromHex('0DF0AD0B07000000') } },
      { msg_id: 8n, seqno: 3, bytes: 12, body: { _: 'ping', ping_id: 9n } },
    ])
  })

  it('a Vector in an Object position has no element type to decode with, so it stays raw', () => {
    const buf = words(constructorId('rpc_result')).int64(1n).uint32(VECTOR).int32(1).int64(5n).finish()
    const r = deserializeObject(buf) as TlOf<'rpc_result'>
    expect(r.result).toEqual({ _: 'raw', id: VECTOR, bytes: buf.slice(12) })
  })

  it('boolTrue as an rpc_result (auth.bindTempAuthKey answers Bool) is a boxed object', () => {
    const buf = words(constructorId('rpc_result')).int64(1n).bool(true).finish()
    expect((deserializeObject(buf) as TlOf<'rpc_result'>).result).toEqual({ _: 'boolTrue' })
  })

  it('gzip_packed decodes to its packed bytes; unpacking is the session layer’s job', () => {
    const buf = words(constructorId('gzip_packed')).bytes(fromHex('1F8B0800')).finish()
    expect(deserializeObject(buf)).toEqual({ _: 'gzip_packed', packed_data: fromHex('1F8B0800') })
  })
})

describe('unknown or wrong ids outside Object positions are errors', () => {
  it.each([
    {
      rule: 'unknown id in a typed field (updateShort.update) → UNKNOWN_CONSTRUCTOR',
      buf: () => words(constructorId('updateShort'), UNKNOWN).int32(0).finish(),
      code: 'UNKNOWN_CONSTRUCTOR',
    },
    {
      rule: 'known id of the wrong type in a typed field → UNEXPECTED_CONSTRUCTOR',
      buf: () => words(constructorId('updateShort'), PING).int64(0n).int32(0).finish(),
      code: 'UNEXPECTED_CONSTRUCTOR',
    },
    {
      rule: 'unknown id in a Vector<JSONValue> element → UNKNOWN_CONSTRUCTOR',
      buf: () => words(constructorId('jsonArray'), VECTOR).int32(1).uint32(UNKNOWN).finish(),
      code: 'UNKNOWN_CONSTRUCTOR',
    },
    {
      rule: 'a Vector<long> field without the vector id → UNKNOWN_CONSTRUCTOR',
      buf: () => words(MSGS_ACK, UNKNOWN).int32(0).finish(),
      code: 'UNKNOWN_CONSTRUCTOR',
    },
    {
      rule: 'a Bool field that is neither id → BAD_BOOL',
      buf: () => words(constructorId('jsonBool'), PING).finish(),
      code: 'BAD_BOOL',
    },
  ])('$rule', ({ buf, code }) => {
    expect(codeOf(() => deserializeObject(buf()))).toBe(code)
  })
})

describe('lengths and counts are checked before anything is allocated', () => {
  it.each([
    { rule: 'count 2^31-1 with 8 bytes left', count: 0x7fffffff, tail: 8 },
    { rule: 'negative count', count: -1, tail: 8 },
    { rule: 'count one more than fits (8 bytes per long)', count: 3, tail: 16 },
  ])('Vector<long>: $rule → VECTOR_TOO_LONG', ({ count, tail }) => {
    const buf = words(MSGS_ACK, VECTOR).int32(count).raw(new Uint8Array(tail)).finish()
    expect(codeOf(() => deserializeObject(buf))).toBe('VECTOR_TOO_LONG')
  })

  it('bare vector<%Message>: each message takes at least 20 bytes', () => {
    const buf = words(constructorId('msg_container')).int32(2).raw(new Uint8Array(39)).finish()
    expect(codeOf(() => deserializeObject(buf))).toBe('VECTOR_TOO_LONG')
  })

  it('message.bytes past the end → LENGTH_PAST_END', () => {
    const buf = words(constructorId('msg_container')).int32(1).int64(4n).int32(1).int32(1 << 20).uint32(PING).int64(1n).finish()
    expect(codeOf(() => deserializeObject(buf))).toBe('LENGTH_PAST_END')
  })

  it('message.bytes larger than the known body it holds → BAD_LENGTH', () => {
    const buf = words(constructorId('msg_container')).int32(1).int64(4n).int32(1).int32(16).uint32(PING).int64(1n).int32(0).finish()
    expect(codeOf(() => deserializeObject(buf))).toBe('BAD_LENGTH')
  })

  it('message.bytes shorter than the known body it holds → TRUNCATED', () => {
    const buf = words(constructorId('msg_container')).int32(1).int64(4n).int32(1).int32(8).uint32(PING).int64(1n).finish()
    expect(codeOf(() => deserializeObject(buf))).toBe('TRUNCATED')
  })

  it('a whole-buffer decode with bytes left over → TRAILING_BYTES', () => {
    const buf = words(PING).int64(1n).int32(0).finish()
    expect(codeOf(() => deserializeObject(buf))).toBe('TRAILING_BYTES')
    expect(decodeObject(new TlReader(buf))).toEqual({ _: 'ping', ping_id: 1n })
  })

  it('an unknown id running to a bound that is not whole words → BAD_LENGTH', () => {
    const buf = words(constructorId('rpc_result')).int64(1n).uint32(UNKNOWN).raw(fromHex('0102')).finish()
    expect(codeOf(() => deserializeObject(buf))).toBe('BAD_LENGTH')
  })

  it('an empty buffer → TRUNCATED', () => {
    expect(codeOf(() => deserializeObject(new Uint8Array(0)))).toBe('TRUNCATED')
  })
})

describe('nesting is capped at MAX_DEPTH', () => {
  const nested = (levels: number): Uint8Array => {
    const w = new TlWriter()
    for (let i = 0; i < levels; i++) w.uint32(constructorId('invokeWithoutUpdates'))
    return w.uint32(PING).int64(1n).finish()
  }
  const nestedValue = (levels: number): TlObject => {
    let v: TlObject = { _: 'ping', ping_id: 1n }
    for (let i = 0; i < levels; i++) v = { _: 'invokeWithoutUpdates', query: v }
    return v
  }

  it(`${MAX_DEPTH} wrappers decode and encode`, () => {
    expect(serializeObject(deserializeObject(nested(MAX_DEPTH)))).toEqual(nested(MAX_DEPTH))
  })

  it.each([MAX_DEPTH + 1, 10_000])('%i wrappers → TOO_DEEP on decode and on encode', (levels) => {
    expect(codeOf(() => deserializeObject(nested(levels)))).toBe('TOO_DEEP')
    expect(codeOf(() => serializeObject(nestedValue(levels)))).toBe('TOO_DEEP')
  })

  it('nested JSON arrays are capped too', () => {
    const w = new TlWriter()
    for (let i = 0; i < 200; i++) w.uint32(constructorId('jsonArray')).uint32(VECTOR).int32(1)
    w.uint32(constructorId('jsonNull'))
    expect(codeOf(() => deserializeObject(w.finish()))).toBe('TOO_DEEP')
  })
})

describe('encoding', () => {
  it('msg_container: bytes is recomputed from the body, whatever the caller put there', () => {
    const buf = serializeObject({
      _: 'msg_container',
      messages: [{ msg_id: 4n, seqno: 1, bytes: 999, body: { _: 'ping', ping_id: 9n } }],
    })
    expect(toHex(buf)).toBe(`DCF8F173 01000000 0400000000000000 01000000 0C000000 EC77BE7A 0900000000000000`.replace(/ /g, ''))
  })

  it('§5: the simplest Config has flags = 0 and each dc_options element starts 0d a1 b7 18', () => {
    const config = sampleConfig()
    const buf = serializeObject(config)
    expect(toHex(buf.subarray(0, 8))).toBe('1E241ACC00000000')
    expect(toHex(buf.subarray(24, 36))).toBe('15C4B51C010000000DA1B718')
    expect(deserializeObject(buf)).toEqual(config)
  })

  it('flags words are computed from the optionals present (dcOption ipv6 + secret = bits 0 and 10)', () => {
    const buf = serializeObject({ _: 'dcOption', ipv6: true, id: 2, ip_address: '::1', port: 443, secret: fromHex('AB') })
    expect(toHex(buf.subarray(4, 8))).toBe('01040000')
  })

  it('unknown flag bits are ignored on decode (TDLib sets initConnection bit 10)', () => {
    const w = words(constructorId('initConnection')).uint32(1 << 10).int32(1)
    for (let i = 0; i < 6; i++) w.string('x')
    w.uint32(constructorId('help.getConfig'))
    const o = deserializeObject(w.finish()) as TlOf<'initConnection'>
    expect(o.query).toEqual({ _: 'help.getConfig' })
    expect(o.proxy).toBeUndefined()
  })

  it.each([
    { rule: 'unknown constructor name → UNKNOWN_CONSTRUCTOR', value: { _: 'nope' }, code: 'UNKNOWN_CONSTRUCTOR' },
    {
      rule: 'a typed field holding another type → UNEXPECTED_CONSTRUCTOR',
      value: { _: 'updateShort', update: { _: 'ping', ping_id: 1n }, date: 0 },
      code: 'UNEXPECTED_CONSTRUCTOR',
    },
    {
      rule: 'a flags bit shared by fields needs all of them (config bit 2) → BAD_VALUE',
      value: { ...sampleConfig(), suggested_lang_code: 'en', lang_pack_version: 1 },
      code: 'BAD_VALUE',
    },
    { rule: 'int field out of range → BAD_VALUE', value: { _: 'pong', msg_id: 1n, ping_id: 1 }, code: 'BAD_VALUE' },
    { rule: 'TlRaw not whole words → BAD_VALUE', value: { _: 'raw', id: UNKNOWN, bytes: fromHex('0DF0AD0B00') }, code: 'BAD_VALUE' },
    { rule: 'TlRaw id disagreeing with its bytes → BAD_VALUE', value: { _: 'raw', id: 1, bytes: fromHex('0DF0AD0B') }, code: 'BAD_VALUE' },
  ])('$rule', ({ value, code }) => {
    expect(codeOf(() => serializeObject(value as TlObject))).toBe(code)
  })

  it('encodeBare/decodeBare: rsa_public_key travels without an id (for fingerprints)', () => {
    const w = new TlWriter()
    encodeBare(w, 'rsa_public_key', { n: fromHex('C150'), e: fromHex('010001') })
    expect(toHex(w.finish())).toBe('02C15000' + '03010001')
    expect(decodeBare(new TlReader(w.finish()), 'rsa_public_key')).toEqual({ n: fromHex('C150'), e: fromHex('010001') })
  })
})

function sampleConfig(): TlOf<'config'> {
  return {
    _: 'config',
    date: 1,
    expires: 2,
    test_mode: true,
    this_dc: 2,
    dc_options: [{ _: 'dcOption', id: 2, ip_address: '127.0.0.1', port: 443 }],
    dc_txt_domain_name: '',
    chat_size_max: 200,
    megagroup_size_max: 200000,
    forwarded_count_max: 100,
    online_update_period_ms: 210000,
    offline_blur_timeout_ms: 5000,
    offline_idle_timeout_ms: 30000,
    online_cloud_timeout_ms: 300000,
    notify_cloud_delay_ms: 30000,
    notify_default_delay_ms: 1500,
    push_chat_period_ms: 60000,
    push_chat_limit: 2,
    edit_time_limit: 172800,
    revoke_time_limit: 2147483647,
    revoke_pm_time_limit: 2147483647,
    rating_e_decay: 2419200,
    stickers_recent_limit: 200,
    channels_read_media_period: 604800,
    call_receive_timeout_ms: 20000,
    call_ring_timeout_ms: 90000,
    call_connect_timeout_ms: 30000,
    call_packet_timeout_ms: 10000,
    me_url_prefix: 'https://t.me/',
    caption_length_max: 1024,
    message_length_max: 4096,
    webfile_dc_id: 4,
  }
}
