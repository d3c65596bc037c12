import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '@pfs-web/server'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createEngine } from './engine.ts'
import { memoryPermKeys, nodeEnv } from './test-support/node-env.ts'
import { engineOptions } from './test-support/engine-options.ts'

let server: RunningServer
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-file-parts-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

// Calls issued in one turn leave in one container (#17), so the server answers them in one
// packet too; four 512 KiB parts in one answer container would pass the 2 MiB frame limit.
it('four 512 KiB getFile calls issued in one turn all answer, byte-exact', async () => {
  const engine = createEngine(nodeEnv(memoryPermKeys()))
  await engine.init(engineOptions(server, 10_000))
  const size = 512 * 1024
  const parts = [0, 1, 2, 3].map((n) => new Uint8Array(size).map((_, i) => (i * 7 + n) & 0xff))
  for (const [n, bytes] of parts.entries()) await engine.saveFilePart(21n, n, bytes)
  const got = await Promise.all(parts.map((_, n) => engine.getFile(21n, n * size, size)))
  expect(got.map((g, n) => g.length === size && g.every((b, i) => b === parts[n]?.[i]))).toEqual([true, true, true, true])
  await engine.close()
}, 30_000)
