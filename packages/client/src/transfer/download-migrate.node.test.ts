/**
 * Issue #16: download() follows FILE_MIGRATE without the caller knowing. A signed-in user's
 * file answers FILE_MIGRATE_2 on home; the engine exports the authorization on DC 1, imports
 * it on DC 2 and sends every part there, and the stream the caller reads is byte-exact.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '@pfs-web/server'
import { serializeObject } from '@pfs-web/tl'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createPfsClient } from '../client.ts'
import { nodeEngine } from '../../test/node-client.ts'

let server: RunningServer
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-dl-migrate-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const calls = (method: string): number => server.stats().apiCalls[method] ?? 0

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  for (const reader = stream.getReader(); ; ) {
    const { done, value } = await reader.read()
    if (done) return Buffer.concat(chunks)
    chunks.push(value)
  }
}

it('a 3 MiB file on DC 2: one FILE_MIGRATE, one export and one import, the rest straight to DC 2, byte-exact', async () => {
  const { options } = nodeEngine(server)
  const url = options.dcs[0]!.url
  // the server plays both DCs on one port: the handshake names the DC
  const client = createPfsClient({ ...options, dcs: [{ id: 1, url }, { id: 2, url }], defaultDcId: 1 })
  try {
    await server.faults.apply({ type: 'require-authorization', on: true })
    await client.connect()
    await server.faults.apply({ type: 'sign-in', dc: 1 })
    const file = Uint8Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => (i * 31 + (i >> 11)) & 0xff)
    const uploaded = await client.upload(new Blob([file]))
    const location = serializeObject({ _: 'inputDocumentFileLocation', id: uploaded.id, access_hash: 0n, file_reference: new Uint8Array(0), thumb_size: '' })
    const before = { exports: calls('auth.exportAuthorization'), imports: calls('auth.importAuthorization'), parts: calls('upload.getFile') }

    await server.faults.apply({ type: 'migrate', method: 'upload.getFile', error: 'FILE_MIGRATE', dc: 2, count: 100 })
    const got = await readAll(client.download(location, { size: file.length, parallel: 2 }))

    expect(Buffer.compare(got, Buffer.from(file))).toBe(0)
    // 4 parts of 1 MiB, 2 in flight: only the parts sent before the first answer came back meet
    // FILE_MIGRATE on DC 1; once the location is known, every part goes straight to DC 2
    const answered = server.faults.state().migrations.reduce((n, r) => n + r.answered, 0)
    expect(answered).toBeGreaterThanOrEqual(1)
    expect(answered).toBeLessThanOrEqual(2)
    expect(calls('upload.getFile') - before.parts).toBe(4 + answered)
    expect(calls('auth.exportAuthorization') - before.exports).toBe(1)
    expect(calls('auth.importAuthorization') - before.imports).toBe(1)
    const states = await client.states()
    expect(new Set(states.filter((s) => s.dcId === 2).map((s) => s.permKeyId)).size).toBe(1)
    expect(states.filter((s) => s.dcId === 2 && s.connection?.startsWith('download')).every((s) => s.bound)).toBe(true)
    expect(server.stats().violations.count).toBe(0)
  } finally {
    await client.close()
    await server.faults.apply({ type: 'clear' })
  }
}, 60_000)
