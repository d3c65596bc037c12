/**
 * Issue #16, file transfer in Chromium: 32 MiB through client.upload() and client.download()
 * in parallel parts over the upload and download pools of a real engine worker and the
 * conformance server, byte-exact by SHA-256, with progress; a slow reader holds the download
 * back; an abort mid-transfer rejects with AbortedError and leaves no call pending.
 */
import { afterAll, describe, expect, inject, it } from 'vitest'
import type { PfsServerInfo } from '../test/global-setup.ts'
import { documentLocation, readAll, sha256 } from '../test/transfer-support.ts'
import { workerClient } from '../test/worker-client.ts'
import { AbortedError } from './errors.ts'

const server: PfsServerInfo = inject('pfsServer')
const { client, dispose } = workerClient(server, 'pfs-transfer', 60_000)

afterAll(dispose)

const MIB = 1024 * 1024

function randomFile(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)))
  return bytes
}

async function serverCalls(method: string): Promise<number> {
  const stats = (await (await fetch(`${server.controlUrl}/stats`)).json()) as { apiCalls: Record<string, number> }
  return stats.apiCalls[method] ?? 0
}

/** Every connection's calls, queued or awaiting an answer, from the engine's views. */
async function pendingCalls(): Promise<Record<string, number>> {
  return Object.fromEntries((await client.states()).map((s) => [s.connection ?? 'main', s.pendingCalls]))
}

function progressLog(): { events: [number, number | undefined][]; onProgress(done: number, total: number | undefined): void } {
  const events: [number, number | undefined][] = []
  return { events, onProgress: (done, total) => void events.push([done, total]) }
}

const monotonic = (events: [number, number | undefined][]): boolean => events.every(([done], i) => i === 0 || done > (events[i - 1]?.[0] ?? 0))

describe('client.upload() and client.download()', () => {
  const file = randomFile(32 * MIB)
  let fileId = 0n

  it('32 MiB up in 64 saveBigFilePart parts over the upload pool, and down again byte-exact', async () => {
    const want = await sha256(file)
    const bigBefore = await serverCalls('upload.saveBigFilePart')
    const up = progressLog()
    const uploaded = await client.upload(new Blob([file]), { name: 'big.bin', onProgress: up.onProgress, parallel: 4 })
    expect(uploaded).toMatchObject({ _: 'inputFileBig', parts: 64, name: 'big.bin' })
    expect(await serverCalls('upload.saveBigFilePart')).toBe(bigBefore + 64)
    // The boxed TL the caller embeds: inputFileBig#fa4f0bb5 id parts name
    const tl = new DataView(uploaded.tl.buffer, uploaded.tl.byteOffset)
    expect([tl.getUint32(0, true), tl.getBigInt64(4, true), tl.getInt32(12, true)]).toEqual([0xfa4f0bb5, uploaded.id, 64])
    expect(up.events).toHaveLength(64)
    expect(monotonic(up.events)).toBe(true)
    expect(up.events.at(-1)).toEqual([32 * MIB, 32 * MIB])
    fileId = uploaded.id

    const getBefore = await serverCalls('upload.getFile')
    const down = progressLog()
    const back = await readAll(client.download(documentLocation(fileId), { size: file.length, onProgress: down.onProgress }), file.length)
    expect(back.length).toBe(file.length)
    expect(await sha256(back)).toBe(want)
    expect(await serverCalls('upload.getFile')).toBe(getBefore + 32)
    expect(monotonic(down.events)).toBe(true)
    expect(down.events.at(-1)).toEqual([32 * MIB, 32 * MIB])

    const views = await client.states()
    expect(views.filter((s) => s.connection?.startsWith('upload-')).length).toBe(2)
    expect(views.filter((s) => s.connection?.startsWith('download-')).length).toBe(2)
    expect(Object.values(await pendingCalls()).every((n) => n === 0)).toBe(true)
  }, 120_000)

  it('below 10 MiB it is saveFilePart and inputFile; without a size the first short part ends the download', async () => {
    const small = randomFile(3 * MIB + 1234)
    const before = await serverCalls('upload.saveFilePart')
    const uploaded = await client.upload(new Blob([small]).stream(), { size: small.length, partSize: 128 * 1024 })
    expect(uploaded).toMatchObject({ _: 'inputFile', parts: 25, name: 'file', md5Checksum: '' })
    expect(await serverCalls('upload.saveFilePart')).toBe(before + 25)
    const back = await readAll(client.download(documentLocation(uploaded.id), { partSize: 256 * 1024 }), small.length + 1)
    expect(await sha256(back)).toBe(await sha256(small))
  })

  it('a reader that stops reading holds the download back: no more than `parallel` parts are asked for', async () => {
    const before = await serverCalls('upload.getFile')
    const reader = client.download(documentLocation(fileId), { size: file.length, partSize: 64 * 1024, parallel: 3 }).getReader()
    const first = await reader.read()
    expect(first.value?.length).toBe(64 * 1024)
    // Let every call already asked for be answered, then count them on the server.
    for (let i = 0; i < 100 && Object.values(await pendingCalls()).some((n) => n > 0); i++) await new Promise((r) => setTimeout(r, 20))
    expect(Object.values(await pendingCalls()).every((n) => n === 0)).toBe(true)
    expect(await serverCalls('upload.getFile') - before).toBeLessThanOrEqual(1 + 3)
    await reader.cancel()
  })

  it('aborting an upload mid-way rejects with AbortedError and cancels every part in flight', async () => {
    const before = await serverCalls('upload.saveBigFilePart')
    const abort = new AbortController()
    const progress: number[] = []
    const pending = client.upload(new Blob([file]), {
      signal: abort.signal,
      onProgress: (sent) => {
        progress.push(sent)
        if (sent >= 8 * MIB) abort.abort()
      },
    })
    await expect(pending).rejects.toBeInstanceOf(AbortedError)
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' })
    expect(Object.values(await pendingCalls()).every((n) => n === 0)).toBe(true)
    expect(progress.at(-1)).toBeLessThan(32 * MIB)
    expect(await serverCalls('upload.saveBigFilePart') - before).toBeLessThan(64)
  })

  it('aborting a download mid-way errors the stream with AbortedError and cancels every part in flight', async () => {
    const before = await serverCalls('upload.getFile')
    const abort = new AbortController()
    const reader = client.download(documentLocation(fileId), { size: file.length, signal: abort.signal, partSize: 512 * 1024 }).getReader()
    let got = 0
    for (;;) {
      const { value } = await reader.read()
      got += value?.length ?? 0
      if (got >= 4 * MIB) break
    }
    abort.abort()
    await expect(reader.read()).rejects.toBeInstanceOf(AbortedError)
    expect(Object.values(await pendingCalls()).every((n) => n === 0)).toBe(true)
    expect(await serverCalls('upload.getFile') - before).toBeLessThan(64)
  })

  it('bad input is a typed error before any call: part sizes, a stream without a size, a bad location', async () => {
    await expect(client.upload(new Blob([new Uint8Array(10)]), { partSize: 1000 })).rejects.toMatchObject({ name: 'TransferError', code: 'FILE_PART_SIZE_INVALID' })
    await expect(client.upload(new Blob([new Uint8Array(10)]).stream())).rejects.toMatchObject({ name: 'TransferError', code: 'SIZE_REQUIRED' })
    await expect(client.upload(new Blob([new Uint8Array(10)]).stream(), { size: 11 })).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
    expect(() => client.download(documentLocation(fileId), { partSize: 3 * 4096 })).toThrow(expect.objectContaining({ code: 'LIMIT_INVALID' }))
    expect(() => client.download(new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'LOCATION_INVALID' }))
    // An unknown file: the server's own error, as RpcError.
    await expect(readAll(client.download(documentLocation(123n)), 16)).rejects.toMatchObject({ name: 'RpcError', code: 400, message: 'FILE_ID_INVALID' })
  })
})
