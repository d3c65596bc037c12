/**
 * Issue #15 in Chromium: 4 MiB uploaded in parallel 512 KiB parts over the DC's upload
 * pool (2 connections, each its own temp key bound to the one perm key), reassembled by
 * the conformance server and read back over the download pool byte-exact.
 */
import { afterAll, expect, inject, it } from 'vitest'
import type { PfsServerInfo } from '../test/global-setup.ts'
import { workerClient } from '../test/worker-client.ts'

const server: PfsServerInfo = inject('pfsServer')
const { client, dispose } = workerClient(server, 'pfs-pools')

afterAll(dispose)

/** The server's view of a key (its id is auth_key_id as a signed decimal; ours is wire hex). */
interface ServerKey {
  id: string
  kind: string
  boundTo: string | null
  media: boolean
  apiCalls: number
}

async function serverKey(idHex: string | null): Promise<ServerKey | undefined> {
  const wire = Uint8Array.from((idHex ?? '').match(/../g) ?? [], (h) => parseInt(h, 16))
  const id = new DataView(wire.buffer).getBigInt64(0, true).toString()
  const stats = (await (await fetch(`${server.controlUrl}/stats`)).json()) as { keys: ServerKey[] }
  return stats.keys.find((k) => k.id === id)
}

it('4 MiB over upload ×2 in parallel parts, byte-exact back over download, each connection under its own bound temp key', async () => {
  const PART = 512 * 1024
  const file = new Uint8Array(4 * 1024 * 1024)
  for (let i = 0; i < file.length; i += 65536) crypto.getRandomValues(file.subarray(i, i + 65536))
  const fileId = 0x1515_0000_0001n
  // slice: the client moves each part's buffer to the worker
  const saved = await Promise.all(Array.from({ length: 8 }, (_, n) => client.saveFilePart(fileId, n, file.slice(n * PART, (n + 1) * PART))))
  expect(saved).toEqual(Array(8).fill(true))
  const parts = await Promise.all(Array.from({ length: 8 }, (_, n) => client.getFile(fileId, n * PART, PART)))
  const back = new Uint8Array(file.length)
  parts.forEach((p, n) => back.set(p, n * PART))
  expect(back.length).toBe(file.length)
  expect(back.every((b, i) => b === file[i])).toBe(true)

  const states = await client.states()
  const uploads = states.filter((s) => s.connection?.startsWith('upload-'))
  expect(uploads.map((s) => s.connection).sort()).toEqual(['upload-0', 'upload-1'])
  const perm = states.find((s) => s.connection === undefined)?.permKeyId ?? null
  expect(perm).toMatch(/^[0-9a-f]{16}$/)
  expect(uploads[0]?.tempKeyId).not.toBe(uploads[1]?.tempKeyId)
  const permOnServer = await serverKey(perm)
  expect(permOnServer?.kind).toBe('perm')
  for (const s of uploads) {
    expect(s).toMatchObject({ bound: true, permKeyId: perm, handshakes: { perm: 0, temp: 1 } })
    // the server holds each upload key bound to the perm key, and each carried parts
    const k = await serverKey(s.tempKeyId)
    expect(k).toMatchObject({ kind: 'temp', media: false })
    expect(k?.boundTo).toBe(permOnServer?.id)
    expect(k?.apiCalls).toBeGreaterThan(0)
  }

  // the caller's pool choice crosses the boundary: a part read over main starts main's own key
  expect((await client.getFile(fileId, 0, 4096, { pool: 'main' })).length).toBe(4096)
  const main = (await client.states()).find((s) => s.connection === undefined)
  expect(main).toMatchObject({ bound: true, permKeyId: perm, handshakes: { temp: 1 } })
  expect(uploads.map((s) => s.tempKeyId)).not.toContain(main?.tempKeyId)
})
