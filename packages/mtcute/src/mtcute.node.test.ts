/**
 * Issue #16: typed calls through the @mtcute/tl adapter, page client to engine to the
 * conformance server. mtcute writes the requests and reads the answers; the results carry
 * mtcute's own types (tl.RpcCallReturn), and server errors arrive as the client's typed
 * errors.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FloodWaitError, RpcError, createPfsClient, type PfsClient, type TypedCalls } from '@pfs-web/client'
import { startServer, type RunningServer } from '@pfs-web/server'
import type { tl } from '@mtcute/tl'
import Long from 'long'
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { nodeEngine } from '../../client/test/node-client.ts'
import { mtcuteCodec, type MtcuteCodec } from './index.ts'

let server: RunningServer
let dataDir: string
let client: (PfsClient & TypedCalls<MtcuteCodec>) | null = null

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-mtcute-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterEach(async () => {
  await client?.close()
  client = null
  await server.faults.apply({ type: 'clear' })
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function open(): PfsClient & TypedCalls<MtcuteCodec> {
  client = createPfsClient({ ...nodeEngine(server).options, codec: mtcuteCodec() })
  return client
}

const location = (id: bigint): tl.TypeInputFileLocation => ({
  _: 'inputDocumentFileLocation',
  id: Long.fromString(id.toString()),
  accessHash: Long.ZERO,
  fileReference: new Uint8Array(0),
  thumbSize: '',
})

describe('@pfs-web/mtcute codec', () => {
  it('help.getConfig: a typed tl.TypeConfig read by mtcute from the server’s answer', async () => {
    const c = open()
    const config = await c.call({ _: 'help.getConfig' })
    expectTypeOf(config).toEqualTypeOf<tl.TypeConfig>()
    expect(config._).toBe('config')
    expect(config.thisDc).toBe(2)
    expect(config.dcOptions.length).toBeGreaterThan(0)
    expect(config.dcOptions[0]).toMatchObject({ _: 'dcOption', id: expect.any(Number), port: expect.any(Number) })
    // raw invoke stays: the same request as bytes in, bytes out
    const raw = await c.invoke(mtcuteCodec().encode({ _: 'help.getConfig' }))
    expect(new DataView(raw.buffer, raw.byteOffset).getUint32(0, true)).toBe(0xcc1a241e)
  })

  it('upload.getFile: a typed tl.upload.TypeFile with the bytes saveFilePart stored', async () => {
    const c = open()
    const fileId = 0x1234_5678_9abcn
    const content = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7) & 0xff)
    expect(await c.saveFilePart(fileId, 0, content.slice())).toBe(true)
    const file = await c.call({ _: 'upload.getFile', location: location(fileId), offset: 4096, limit: 4096 })
    expectTypeOf(file).toEqualTypeOf<tl.upload.TypeFile>()
    if (file._ !== 'upload.file') throw new Error(`expected upload.file, got ${file._}`)
    expect(file.bytes).toEqual(content.subarray(4096, 8192))
    expect(file.type._).toBe('storage.filePartial')
  })

  it('errors stay typed: RpcError for an unknown file, FloodWaitError { seconds } above the cap', async () => {
    const c = open()
    const unknown: unknown = await c.call({ _: 'upload.getFile', location: location(99n), offset: 0, limit: 4096 }).catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(RpcError)
    expect(unknown).toMatchObject({ code: 400, message: 'FILE_ID_INVALID' })
    await server.faults.apply({ type: 'flood-wait', method: 'help.getConfig', seconds: 3600 })
    const flood: unknown = await c.call({ _: 'help.getConfig' }).catch((e: unknown) => e)
    expect(flood).toBeInstanceOf(FloodWaitError)
    expect(flood).toMatchObject({ code: 420, seconds: 3600 })
  })
})
