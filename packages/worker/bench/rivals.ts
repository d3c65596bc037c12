/**
 * What bench/vs-mtcute.bench.ts drives: the conformance server in a child process (so
 * process.cpuUsage() in the bench counts the clients only), a TCP proxy that charges one
 * RTT for every socket set-up, and the two clients behind one small interface. Bench-only.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect as netConnect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectWs } from '@fuman/net'
import { IntermediatePacketCodec, MemoryStorage, ObfuscatedPacketCodec, TelegramClient } from '@mtcute/node'
import { addPublicKey, NodeCryptoProvider } from '@mtcute/node/utils.js'
import type { FaultAction, ServerStats } from '@pfs-web/control-client'
import WebSocket from 'ws'
import { processCpuSeconds } from '../../server/bench/process-cpu.ts'
import { createEngine } from '../src/engine.ts'
import { engineOptions } from '../src/test-support/engine-options.ts'
import { memoryPermKeys, nodeEnv } from '../src/test-support/node-env.ts'

export interface ServerProcess {
  host: string
  wsPort: number
  rsaPublicKeyPem: string
  fault(action: FaultAction): Promise<void>
  stats(): Promise<ServerStats>
  /** The server process's CPU time so far in ms, from /proc (10 ms steps); NaN where there is no /proc. */
  cpuMs(): number
  close(): Promise<void>
}

async function spawnServer(): Promise<ServerProcess & { fingerprint: bigint }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pfs-vs-mtcute-'))
  const cli = join(import.meta.dirname, '../../server/src/cli.ts')
  const args = ['--import', 'tsx', cli, '--tcp-port', '0', '--ws-port', '0', '--control-port', '0', '--data', dataDir]
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('pfs-server ready')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready:\n${out}`)))
  })
  const ws = /^ws\s+ws:\/\/([\d.]+):(\d+)\/apiws/m.exec(out)
  const control = /^control\s+(http:\/\/\S+)/m.exec(out)
  const fp = /^rsa fingerprint (-?\d+)/m.exec(out)
  const pem = /-----BEGIN[\s\S]+?-----END [A-Z ]+-----/.exec(out)
  if (!ws || !control || !fp || !pem) throw new Error(`unexpected server banner:\n${out}`)
  const base = control[1]!
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    host: ws[1]!,
    wsPort: Number(ws[2]),
    rsaPublicKeyPem: pem[0] + '\n',
    fingerprint: BigInt(fp[1]!),
    async fault(action) {
      const res = await fetch(`${base}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(action) })
      if (!res.ok) throw new Error(`fault ${action.type}: ${res.status} ${await res.text()}`)
    },
    async stats() {
      return (await (await fetch(`${base}/stats`)).json()) as ServerStats
    },
    cpuMs: () => processCpuMs(child.pid),
    async close() {
      child.kill('SIGTERM')
      await exited
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The server's CPU time in ms; NaN where there is no /proc (the row is then empty, the bench still runs). */
function processCpuMs(pid: number | undefined): number {
  try {
    return processCpuSeconds(pid) * 1000
  } catch {
    return NaN
  }
}

/**
 * mtcute 0.30.3 never finds an RSA key whose fingerprint starts with a zero nibble (see
 * packages/server/src/test-support/mtcute-client.ts), so this starts servers until one's does not.
 */
export async function startServerProcess(): Promise<ServerProcess> {
  for (let attempt = 0; attempt < 16; attempt++) {
    const server = await spawnServer()
    if (BigInt.asUintN(64, server.fingerprint) >> 60n !== 0n) return server
    await server.close()
  }
  throw new Error('16 server keys in a row had a fingerprint mtcute cannot look up')
}

/**
 * Polls until `what()` is defined: pfs-web stores its DH group's fixed-base powers in the
 * idle time after a first connect (issue #17), which a bench gives it, untimed, before
 * a start that models a reload. Throws after 10 s.
 */
export async function untilStored(name: string, what: () => unknown): Promise<void> {
  for (let t = 0; what() === undefined; t++) {
    if (t === 200) throw new Error(`${name}: nothing stored after 10 s idle`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export interface DelayProxy {
  port: number
  close(): Promise<void>
}

/**
 * Forwards TCP to `port`, but opens the upstream connection only `delayMs` after a client
 * connects, holding the client's first bytes (its WebSocket upgrade) meanwhile: socket
 * set-up costs one RTT, as a TCP handshake does on a real link.
 */
export async function delayProxy(host: string, port: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>()
  const track = (s: Socket): void => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
    s.on('error', () => s.destroy())
  }
  // noDelay on both legs: a link adds latency, not Nagle's algorithm (the clients' own
  // sockets set TCP_NODELAY; a proxy without it held small writes for the peer's delayed ACK)
  const server = createServer({ noDelay: true }, (client) => {
    track(client)
    client.pause()
    setTimeout(() => {
      if (client.destroyed) return
      const upstream = netConnect({ port, host, noDelay: true }, () => {
        client.pipe(upstream)
        upstream.pipe(client)
      })
      track(upstream)
      upstream.once('close', () => client.destroy())
      client.once('close', () => upstream.destroy())
    }, delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')
  return {
    port: address.port,
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** `total` calls, `inFlight` at a time: calls/s and this process's CPU ms per call. */
export async function drive(call: () => Promise<void>, total: number, inFlight: number): Promise<{ perS: number; cpuMs: number }> {
  let issued = 0
  const lane = async (): Promise<void> => {
    while (issued < total) {
      issued++
      await call()
    }
  }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: inFlight }, lane))
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { perS: (total / ms) * 1000, cpuMs: (cpu.user + cpu.system) / 1000 / total }
}

/** One connected-or-connecting client, as the bench uses it. */
export interface BenchClient {
  /** connect() and one help.getNearestDc answered under the bound temp key. */
  firstAnswer(): Promise<void>
  /** One help.getNearestDc. */
  call(): Promise<void>
  /**
   * The idle time a page has after its first connect, untimed: a client that stores
   * something for its next start then (pfs-web: the DH group's fixed-base powers) has
   * stored it when this resolves.
   */
  idle?(): Promise<void>
  close(): Promise<void>
}

export interface Rival {
  readonly name: 'pfs-web' | 'mtcute'
  /** A client of the server at `port`; `stored` starts it with the perm key of the last fresh client. */
  client(port: number, stored: boolean): Promise<BenchClient>
}

const DC = 2

export function pfsWebRival(server: ServerProcess): Rival {
  const storage = memoryPermKeys()
  return {
    name: 'pfs-web',
    async client(port, stored) {
      if (!stored) {
        storage.map.clear()
        delete storage.powers
      } else if (!storage.map.has(DC)) throw new Error('pfs-web: no perm key stored yet')
      const engine = createEngine(nodeEnv(storage))
      await engine.init(engineOptions({ ...server, wsPort: port }))
      const call = async (): Promise<void> => {
        if ((await engine.getNearestDc()).thisDc !== DC) throw new Error('pfs-web: wrong nearestDc')
      }
      return {
        async firstAnswer() {
          await engine.connect()
          await call()
        },
        call,
        idle: () => untilStored('pfs-web: DH powers', () => storage.powers),
        close: () => engine.close(),
      }
    },
  }
}

/** mtcute 0.30.3 over obfuscated intermediate WebSocket: the same wire as pfs-web's. */
export async function mtcuteRival(server: ServerProcess): Promise<Rival> {
  const crypto = new NodeCryptoProvider()
  await crypto.initialize?.()
  addPublicKey(crypto, server.rsaPublicKeyPem)
  let permKey: Uint8Array | null = null
  return {
    name: 'mtcute',
    async client(port, stored) {
      const storage = new MemoryStorage()
      if (stored) {
        if (permKey === null) throw new Error('mtcute: no perm key stored yet')
        storage.authKeys.set(DC, permKey)
      }
      const url = `ws://${server.host}:${port}/apiws`
      const dc = { id: DC, ipAddress: server.host, port }
      const client = new TelegramClient({
        apiId: 1,
        apiHash: '0'.repeat(32),
        network: { usePfs: true },
        logLevel: 0,
        updates: false,
        crypto,
        storage,
        defaultDcs: { main: dc, media: dc },
        transport: {
          connect: () => connectWs({ url, implementation: WebSocket as never, protocols: 'binary' }),
          packetCodec: () => new ObfuscatedPacketCodec(new IntermediatePacketCodec()),
        },
      })
      const call = async (): Promise<void> => {
        if ((await client.call({ _: 'help.getNearestDc' })).thisDc !== DC) throw new Error('mtcute: wrong nearestDc')
      }
      return {
        async firstAnswer() {
          await client.connect()
          await call()
          if (!stored) permKey = storage.authKeys.get(DC)
        },
        call,
        close: () => client.destroy(),
      }
    },
  }
}
