import type { TlObject } from '@pfs-web/tl'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientMsgId, msgIdAt } from './test-support/client-handshake.ts'
import { connectPfs, type PfsClient } from './test-support/pfs-client.ts'
import { startTestServer, tcp } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server
let c: PfsClient
/** The API calls of every packet, in the order the server ran them. */
const packets: TlObject[][] = []

beforeAll(async () => {
  server = await startTestServer({ onPacketCalls: (calls) => void packets.push([...calls]) })
  c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
  await c.session.api({ _: 'help.getConfig' })
})
afterAll(async () => {
  c.close()
  await server.dispose()
})

// 1 KiB parts: every part but a file's last must be a size that divides 512 KiB.
const part = (n: number): TlObject => ({ _: 'upload.saveFilePart', file_id: 17n, file_part: n, bytes: new Uint8Array(1024).fill(n) })
const partsOf = (calls: TlObject[] | undefined): number[] => (calls ?? []).map((q) => (q._ === 'upload.saveFilePart' ? q.file_part : -1))

describe('msg_container (mtproto-tl.md §4, encryption.md §5–§6)', () => {
  it('the calls of one container all run and are answered, counted as one packet', async () => {
    const before = server.stats().apiCallsPerPacket['3'] ?? 0
    const answers = await Promise.all(c.session.container([{ body: part(0) }, { body: part(1) }, { body: part(2) }]))
    expect(answers.map((a) => a._)).toEqual(['boolTrue', 'boolTrue', 'boolTrue'])
    expect(server.stats().apiCallsPerPacket['3']).toBe(before + 1)
  })

  it('inner messages run in msg_id order, whatever order the container lists them in', async () => {
    const seen = packets.length
    await Promise.all(c.session.container([{ body: part(10) }, { body: part(11) }, { body: part(12) }], { listOrder: [2, 0, 1] }))
    expect(partsOf(packets[seen])).toEqual([10, 11, 12])
  })

  it.each<{ rule: string; send: () => Promise<TlObject>[]; code: string }>([
    {
      rule: '§4: an inner msg_id not below the container msg_id → 64',
      send: () => {
        const outer = clientMsgId()
        return c.session.container([{ body: part(0), msgId: clientMsgId() }], { msgId: outer })
      },
      code: 'BAD_MSG_64',
    },
    { rule: 'enc §5: an odd (content-related) container seq_no → 64', send: () => c.session.container([{ body: part(0), seqno: 2001 }], { seqno: 2003 }), code: 'BAD_MSG_64' },
    { rule: 'enc §5: a container numbered before its contents (seq_no below theirs) → 64', send: () => c.session.container([{ body: part(0), seqno: 3001 }], { seqno: 2000 }), code: 'BAD_MSG_64' },
    {
      rule: '§4: containers cannot be nested → 64',
      send: () => c.session.container([{ body: { _: 'msg_container', messages: [] }, seqno: 3000 }], { seqno: 3002 }),
      code: 'BAD_MSG_64',
    },
    {
      rule: '§4: at most 1024 messages per container → 64',
      send: () => c.session.container(Array.from({ length: 1025 }, (_, i) => ({ body: { _: 'msgs_ack', msg_ids: [] }, seqno: 4000 + 2 * i })), { seqno: 6100 }),
      code: 'BAD_MSG_64',
    },
  ])('$rule, and nothing in it runs', async ({ send, code }) => {
    const calls = server.stats().apiCalls['upload.saveFilePart'] ?? 0
    const answers = send()
    await expect(answers[0]).rejects.toMatchObject({ code })
    await Promise.allSettled(answers)
    expect(server.stats().apiCalls['upload.saveFilePart'] ?? 0).toBe(calls)
  })

  it('enc §6: a container msg_id used before → 19', async () => {
    const [first, outer] = [clientMsgId(), clientMsgId()]
    await Promise.all(c.session.container([{ body: part(0), msgId: first }], { msgId: outer }))
    const again = c.session.container([{ body: part(1), msgId: outer - 4n }], { msgId: outer })
    await expect(again[0]).rejects.toMatchObject({ code: 'BAD_MSG_19' })
  })

  it.each([
    { rule: 'enc §6 code 16: an inner msg_id 400 s in the past', msgId: () => msgIdAt(-400), code: 'BAD_MSG_16' },
    { rule: 'enc §6 code 18: an inner msg_id not divisible by 4', msgId: () => clientMsgId() + 1n, code: 'BAD_MSG_18' },
  ])('$rule → bad_msg for that message alone; its neighbours run', async ({ msgId, code }) => {
    const [bad, good] = c.session.container([{ body: part(20), msgId: msgId() }, { body: part(21) }])
    await expect(bad).rejects.toMatchObject({ code })
    expect(await good).toEqual({ _: 'boolTrue' })
  })
})
