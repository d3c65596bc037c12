/** The client entry (`@pfs-web/tl/client`): the same API over the client's codecs. */
import { describe, expect, it } from 'vitest'
import * as client from './client.ts'
import * as full from './index.ts'

describe('@pfs-web/tl/client', () => {
  it('round-trips what a client sends and decodes what a server answers, as the full codecs do', () => {
    const req = { _: 'help.getConfig' } as const
    expect(client.serializeObject(req)).toEqual(full.serializeObject(req))
    const answer = full.serializeObject({ _: 'rpc_result', req_msg_id: 4n, result: { _: 'boolTrue' } })
    expect(client.deserializeObject(answer)).toEqual(full.deserializeObject(answer))
  })

  it('serializeObject shares one writer between calls, yet no call carries bytes of the one before', () => {
    const big = { _: 'upload.saveFilePart', file_id: -1n, file_part: 7, bytes: new Uint8Array(300).fill(0xab) } as const
    const small = { _: 'upload.saveFilePart', file_id: 1n, file_part: 0, bytes: new Uint8Array([9]) } as const
    const first = client.serializeObject(big)
    const second = client.serializeObject(small)
    expect(second).toEqual(full.serializeObject(small))
    expect([...second.subarray(-4)]).toEqual([1, 9, 0, 0]) // the padding is zero, not the 0xab before
    expect(first).toEqual(full.serializeObject(big))
    expect(second.buffer).not.toBe(first.buffer)
  })

  it('hands an API result on as its own bytes, and decodes it when asked at the top level (scripts/client-profile.ts CLIENT_KEEPS_RAW)', () => {
    const nearest = { _: 'nearestDc', country: 'NL', this_dc: 2, nearest_dc: 2 } as const
    const bytes = full.serializeObject(nearest)
    const answer = full.serializeObject({ _: 'rpc_result', req_msg_id: 4n, result: nearest })
    expect(client.deserializeObject(answer)).toEqual({ _: 'rpc_result', req_msg_id: 4n, result: { _: 'raw', id: 0x8e1a1775, bytes } })
    expect(client.deserializeObject(bytes)).toEqual(nearest)
    expect(() => client.serializeObject(nearest)).toThrow(expect.objectContaining({ code: 'UNEXPECTED_CONSTRUCTOR' }))
  })

  it('scripts/client-profile.ts: a server-only message is not encodable, a client-only one not decodable, with a typed error', () => {
    expect(() => client.serializeObject({ _: 'bad_server_salt', bad_msg_id: 1n, bad_msg_seqno: 1, error_code: 48, new_server_salt: 2n })).toThrow(
      expect.objectContaining({ code: 'UNEXPECTED_CONSTRUCTOR' }),
    )
    const request = full.serializeObject({ _: 'get_future_salts', num: 3 })
    expect(() => client.deserializeObject(request)).toThrow(expect.objectContaining({ code: 'UNEXPECTED_CONSTRUCTOR' }))
  })
})
