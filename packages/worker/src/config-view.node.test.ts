import { serializeObject, TlError, type TlObject } from '@pfs-web/tl'
import { buildConfig } from '@pfs-web/server'
import { describe, expect, it } from 'vitest'
import { readConfigView } from './config-view.ts'

const dcs = [
  { id: 1, host: '127.0.0.1', port: 4431 },
  { id: 2, host: 'localhost', port: 4432 },
  { id: 4, host: '::1', port: 4434 },
]

describe('help.getConfig view, read by hand from config (worker bundle, issue #17)', () => {
  it('takes date, expires, test_mode, this_dc and every dc_option from the conformance server\'s config', () => {
    const bytes = serializeObject(buildConfig(1_765_000_000, 2, true, dcs))
    expect(readConfigView(bytes)).toEqual({
      date: 1_765_000_000,
      expires: 1_765_003_600,
      thisDc: 2,
      testMode: true,
      dcOptions: dcs.map((d) => ({ id: d.id, ipAddress: d.host, port: d.port })),
    })
  })

  it('reads past flagged dcOption fields (a secret, ipv6, media_only) and ignores config\'s optional tail', () => {
    const base = buildConfig(1_765_000_000, 4, false, []) as Extract<TlObject, { _: 'config' }>
    const config: TlObject = {
      ...base,
      tmp_sessions: 3,
      autologin_token: 'x'.repeat(300),
      reactions_default: { _: 'reactionEmoji', emoticon: '👍' },
      dc_options: [
        { _: 'dcOption', ipv6: true, media_only: true, id: 4, ip_address: '2001:db8::4', port: 443, secret: new Uint8Array(17).fill(9) },
        { _: 'dcOption', id: 5, ip_address: '10.0.0.5', port: 80 },
      ],
    }
    const view = readConfigView(serializeObject(config))
    expect(view.thisDc).toBe(4)
    expect(view.dcOptions).toEqual([
      { id: 4, ipAddress: '2001:db8::4', port: 443 },
      { id: 5, ipAddress: '10.0.0.5', port: 80 },
    ])
  })

  it('refuses an answer of another type, and a dc_options count the bytes cannot hold, with a typed error', () => {
    expect(() => readConfigView(serializeObject({ _: 'boolTrue' }))).toThrow(expect.objectContaining({ code: 'UNEXPECTED_RESULT' }))
    const bytes = serializeObject(buildConfig(1, 2, false, dcs))
    // the count sits after id, flags, date, expires, test_mode, this_dc and the vector id
    new DataView(bytes.buffer, bytes.byteOffset).setInt32(28, 0x7fffffff, true)
    expect(() => readConfigView(bytes)).toThrow(expect.objectContaining({ name: 'TlError', code: 'VECTOR_TOO_LONG' }))
  })

  it('a config cut short inside dc_options is a TlError, not a partial view', () => {
    const bytes = serializeObject(buildConfig(1, 2, false, dcs))
    // dc_options run from byte 32 to 112 (28 + 28 + 24 bytes): 100 cuts into the third
    expect(() => readConfigView(bytes.subarray(0, 100))).toThrow(TlError)
    expect(() => readConfigView(bytes.subarray(0, 112))).not.toThrow()
  })
})
