import { gzipPack, type TlObject } from '@pfs-web/tl'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientMsgId, msgIdAt } from './test-support/client-handshake.ts'
import type { ClientSession } from './test-support/client-session.ts'
import { connectPfs, type PfsClient } from './test-support/pfs-client.ts'
import { startTestServer, tcp } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server
let c: PfsClient

beforeAll(async () => {
  server = await startTestServer()
  c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
  await c.session.api({ _: 'help.getConfig' })
})
afterAll(async () => {
  c.close()
  await server.dispose()
})

/** Waits until the session has received an event matching `pred`. */
async function event(s: ClientSession, pred: (e: TlObject) => boolean): Promise<TlObject> {
  for (let i = 0; i < 100; i++) {
    const found = s.events.find(pred)
    if (found !== undefined) return found
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('event not received')
}

describe('service messages (mtproto-tl.md §4, encryption.md §4–§6)', () => {
  it('new session → new_session_created with first_msg_id and the current salt', async () => {
    const e = await event(c.session, (x) => x._ === 'new_session_created')
    expect(e).toMatchObject({ _: 'new_session_created', server_salt: c.temp.salt })
  })

  it('ping → pong carrying the ping msg_id', async () => {
    const msgId = c.session.send({ body: { _: 'ping', ping_id: 42n } })
    expect(await event(c.session, (x) => x._ === 'pong' && x.msg_id === msgId)).toMatchObject({ ping_id: 42n })
  })

  it('get_future_salts → future_salts with the current salt first', async () => {
    const msgId = c.session.send({ body: { _: 'get_future_salts', num: 3 } })
    const e = await event(c.session, (x) => x._ === 'future_salts' && x.req_msg_id === msgId)
    if (e._ !== 'future_salts') throw new Error('unreachable')
    expect(e.salts).toHaveLength(3)
    expect(e.salts[0]!.salt).toBe(c.session.salt)
    expect(e.salts[1]!.valid_since).toBeGreaterThan(e.salts[0]!.valid_since)
  })

  it('a wrong salt → bad_server_salt (48) with the right one; the call is resent and answered', async () => {
    const before = server.stats().badMsgNotifications['48'] ?? 0
    const result = await c.session.call({ _: 'help.getNearestDc' }, { salt: 12345n })
    expect(result._).toBe('nearestDc')
    expect(server.stats().badMsgNotifications['48']).toBe(before + 1)
  })

  it.each([
    { rule: '§6 code 18: msg_id not divisible by 4', raw: () => ({ msgId: clientMsgId() + 1n }), code: 'BAD_MSG_18' },
    { rule: '§6 code 17: msg_id 60 s in the future', raw: () => ({ msgId: msgIdAt(60) }), code: 'BAD_MSG_17' },
    { rule: '§6 code 16: msg_id 400 s in the past', raw: () => ({ msgId: msgIdAt(-400) }), code: 'BAD_MSG_16' },
    { rule: '§6 code 35: RPC query with an even seq_no', raw: () => ({ content: false }), code: 'BAD_MSG_35' },
    { rule: '§6 code 32: a higher msg_id with a seq_no below one already seen', raw: () => ({ seqno: 1 }), code: 'BAD_MSG_32' },
  ])('$rule → bad_msg_notification', async ({ raw, code }) => {
    await expect(c.session.call({ _: 'help.getNearestDc' }, raw())).rejects.toMatchObject({ code })
  })

  it('a duplicate msg_id is not executed again; the stored answer is resent', async () => {
    const msgId = clientMsgId()
    const calls = server.stats().apiCalls['help.getNearestDc'] ?? 0
    await c.session.call({ _: 'help.getNearestDc' }, { msgId })
    const again = c.session.call({ _: 'help.getNearestDc' }, { msgId })
    expect((await again)._).toBe('nearestDc')
    expect(server.stats().apiCalls['help.getNearestDc']).toBe(calls + 1)
  })

  it('msgs_state_req reports a received-and-answered id as 4+32, an unseen lower id as 1', async () => {
    const answered = clientMsgId()
    await c.session.call({ _: 'help.getNearestDc' }, { msgId: answered })
    const reqId = c.session.send({ body: { _: 'msgs_state_req', msg_ids: [answered, 4n] } })
    const e = await event(c.session, (x) => x._ === 'msgs_state_info' && x.req_msg_id === reqId)
    if (e._ !== 'msgs_state_info') throw new Error('unreachable')
    expect([...e.info]).toEqual([36, 1])
  })

  it('gzip_packed and zlib-packed calls are unpacked', async () => {
    const packed = await gzipPack(new Uint8Array([0x26, 0x30, 0xb3, 0x1f]))
    expect((await c.session.call({ _: 'gzip_packed', packed_data: packed }))._).toBe('nearestDc')
    const { deflateSync } = await import('node:zlib')
    const zlib = deflateSync(Buffer.from([0x26, 0x30, 0xb3, 0x1f]))
    expect((await c.session.call({ _: 'gzip_packed', packed_data: zlib }))._).toBe('nearestDc')
  })

  it('an unknown API method gets an rpc_error, not a crash', async () => {
    await expect(c.session.call({ _: 'raw', id: 0x12345678, bytes: Uint8Array.of(0x78, 0x56, 0x34, 0x12, 1, 0, 0, 0) })).rejects.toMatchObject({ code: 400 })
  })

  it('512 KiB upload parts travel both ways (upload.saveFilePart / upload.getFile)', async () => {
    const part = randomBytes(512 * 1024)
    const fileId = 777n
    expect((await c.session.call({ _: 'upload.saveFilePart', file_id: fileId, file_part: 0, bytes: part }))._).toBe('boolTrue')
    const file = await c.session.call({
      _: 'upload.getFile',
      location: { _: 'inputDocumentFileLocation', id: fileId, access_hash: 0n, file_reference: new Uint8Array(0), thumb_size: '' },
      offset: 0n,
      limit: 512 * 1024,
    })
    if (file._ !== 'upload.file') throw new Error(`got ${file._}`)
    expect(Buffer.from(file.bytes).equals(part)).toBe(true)
  })

  it('a media temp key is bound beside the main one; auth.dropTempAuthKeys from the main one drops it', async () => {
    const media = await connectPfs(tcp(server, 'abridged'), server.rsaPublicKeyPem, { perm: c.perm, dc: -2, expiresIn: 600 })
    const bound = (): string[] => server.stats().keys.filter((k) => k.boundTo === c.perm.id.toString()).map((k) => k.id).sort()
    expect(bound()).toEqual([c.temp.id.toString(), media.temp.id.toString()].sort())
    expect((await c.session.api({ _: 'auth.dropTempAuthKeys', except_auth_keys: [] }))._).toBe('boolTrue')
    expect(bound()).toEqual([c.temp.id.toString()])
    await expect(media.session.call({ _: 'help.getConfig' })).rejects.toMatchObject({ code: -404 })
    media.close()
  })
})
