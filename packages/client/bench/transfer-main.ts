/**
 * Page side of `pnpm bench:transfer` (issue #16), driven by transfer.ts: the same file up
 * with upload() and down with download() through the engine worker (createPfsClient) and
 * through the same engine on the page thread (createEngine, no Worker), interleaved in
 * rounds, each download checked byte-exact by SHA-256 outside the timed span.
 */
import { createBrowserEnv, createEngine, createIdbPermKeyStorage } from '@pfs-web/worker'
import { createPfsClient } from '../src/index.ts'
import type { TransferInvoke } from '../src/transfer/transfer-invoke.ts'
import { transferMethods, type TransferMethods } from '../src/transfer/transfer-methods.ts'
import { documentLocation, readAll, sha256 } from '../test/transfer-support.ts'
import { deleteDatabase, workerOptions, type Impl, type ServerInfo } from './contenders.ts'

export interface TransferBenchConfig extends ServerInfo {
  sizeMiB: number
  rounds: number
  parallel: number
}

export interface TransferSample {
  impl: Impl
  direction: 'upload' | 'download'
  round: number
  ms: number
}

export interface TransferBenchResult {
  samples: TransferSample[]
  userAgent: string
}

declare global {
  interface Window {
    transferBench?: (config: TransferBenchConfig) => Promise<TransferBenchResult>
  }
}

interface Contender extends TransferMethods {
  ready: Promise<void>
  close(): Promise<void>
}

function open(impl: Impl, server: ServerInfo, storageName: string): Contender {
  const options = workerOptions(server, storageName)
  if (impl === 'worker') return createPfsClient(options)
  const engine = createEngine(createBrowserEnv(createIdbPermKeyStorage(storageName)))
  // The engine's own invoke, cancelled by id as the worker client does it.
  const invoke: TransferInvoke = (request, { pool, dcId, signal }) => {
    const callId = crypto.randomUUID()
    const onAbort = (): void => void engine.cancel(callId)
    signal.addEventListener('abort', onAbort, { once: true })
    return engine.invoke(request, { pool, dcId, callId }).finally(() => signal.removeEventListener('abort', onAbort))
  }
  return { ...transferMethods(invoke), ready: engine.init(options), close: () => engine.close() }
}

window.transferBench = async (config) => {
  const size = config.sizeMiB * 1024 * 1024
  const file = new Uint8Array(size)
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(file.subarray(i, i + 65536))
  const blob = new Blob([file])
  const want = await sha256(file)
  const stamp = Date.now()
  const names = { worker: `pfs-bench-transfer-w-${stamp}`, direct: `pfs-bench-transfer-d-${stamp}` }
  const contenders = { worker: open('worker', config, names.worker), direct: open('direct', config, names.direct) }
  const samples: TransferSample[] = []
  try {
    await Promise.all(Object.values(contenders).map((c) => c.ready))
    // Warm-up: every upload and download connection handshakes and binds before timing.
    for (const c of Object.values(contenders)) {
      const warm = await c.upload(new Blob([file.subarray(0, 4 * 512 * 1024)]), { parallel: config.parallel })
      await readAll(c.download(documentLocation(warm.id), { size: 4 * 512 * 1024, parallel: config.parallel }), 4 * 512 * 1024)
    }
    for (let round = 0; round < config.rounds; round++) {
      // The order flips every round, so neither contender always runs on a warmer machine.
      const order: Impl[] = round % 2 === 0 ? ['worker', 'direct'] : ['direct', 'worker']
      for (const impl of order) {
        const c = contenders[impl]
        let t = performance.now()
        const uploaded = await c.upload(blob, { parallel: config.parallel })
        samples.push({ impl, direction: 'upload', round, ms: performance.now() - t })
        t = performance.now()
        const back = await readAll(c.download(documentLocation(uploaded.id), { size, parallel: config.parallel }), size)
        if (back.length !== size) throw new Error(`${impl}: downloaded ${back.length} of ${size} bytes`)
        samples.push({ impl, direction: 'download', round, ms: performance.now() - t })
        if ((await sha256(back)) !== want) throw new Error(`${impl}: round ${round} downloaded other bytes`)
      }
    }
  } finally {
    await Promise.all(Object.values(contenders).map((c) => c.close()))
    await Promise.all(Object.values(names).map(deleteDatabase))
  }
  return { samples, userAgent: navigator.userAgent }
}
