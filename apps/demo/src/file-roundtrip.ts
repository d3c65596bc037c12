import type { DemoClient } from './client-adapter.ts'

// A 1 MiB upload through upload.saveFilePart and back through upload.getFile, compared
// by SHA-256. Parts of 128 KiB satisfy both methods' size rules (divisors of 512 KiB,
// multiples of 4 KiB, offset a multiple of limit).

export const FILE_SIZE = 1024 * 1024
export const PART_SIZE = 128 * 1024

export interface RoundTripProgress {
  phase: 'upload' | 'download'
  done: number
  total: number
}

export interface RoundTripResult {
  uploadMs: number
  downloadMs: number
  match: boolean
  sha256: string
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n)
  // getRandomValues fills at most 64 KiB per call.
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)))
  return out
}

function randomFileId(): bigint {
  const id = new BigUint64Array(1)
  crypto.getRandomValues(id)
  return id[0]! & 0x7fff_ffff_ffff_ffffn
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

export async function fileRoundTrip(
  client: DemoClient,
  dcId: number,
  onProgress: (p: RoundTripProgress) => void,
): Promise<RoundTripResult> {
  const data = randomBytes(FILE_SIZE)
  const fileId = randomFileId()
  const parts = FILE_SIZE / PART_SIZE

  const t0 = performance.now()
  for (let part = 0; part < parts; part++) {
    // slice, not subarray: the client transfers the part's buffer to its worker.
    const ok = await client.saveFilePart(fileId, part, data.slice(part * PART_SIZE, (part + 1) * PART_SIZE), { dcId })
    if (!ok) throw new Error(`saveFilePart ${part} returned false`)
    onProgress({ phase: 'upload', done: (part + 1) * PART_SIZE, total: FILE_SIZE })
  }
  const t1 = performance.now()

  const back = new Uint8Array(FILE_SIZE)
  for (let offset = 0; offset < FILE_SIZE; offset += PART_SIZE) {
    const chunk = await client.getFile(fileId, offset, PART_SIZE, { dcId })
    back.set(chunk.subarray(0, Math.min(chunk.length, FILE_SIZE - offset)), offset)
    onProgress({ phase: 'download', done: offset + chunk.length, total: FILE_SIZE })
  }
  const t2 = performance.now()

  const [sent, received] = await Promise.all([sha256Hex(data), sha256Hex(back)])
  return { uploadMs: t1 - t0, downloadMs: t2 - t1, match: sent === received, sha256: received }
}
