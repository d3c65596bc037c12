// `pnpm bench:server-crypto` (issue #13): what one 512 KiB file part costs the conformance
// server's CPU. Times AES-256-IGE decryption (the block-by-block node:crypto chain the server
// used before, and @mtcute/wasm, which it uses now), IGE encryption (one node:crypto CBC
// call), and the whole receive (openPacket: decrypt + msg_key) and send (sealPacket) of a
// 512 KiB message, against raw node:crypto AES-256-CBC in the same run: CBC encryption is a
// chain of AES calls like IGE, so it is the floor of any IGE on this CPU. Every contender's
// output is checked equal first. Prints a table; writes bench/results/server-crypto.json.
// Run: npx tsx packages/server/bench/crypto.bench.ts [rounds=5]
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getWasmUrl, ige256Encrypt, initSync } from '@mtcute/wasm'
import { igeDecrypt, igeDecryptBlocks, igeEncrypt } from '../src/primitives/aes-ige.ts'
import { openPacket, sealPacket } from '../src/session/envelope.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const rounds = Number(process.argv[2] ?? 5)
const SIZE = 512 * 1024

interface Row {
  case: string
  impl: string
  /** CPU milliseconds (user + system) per operation, median over rounds. */
  cpuMs: number
  mbPerS: number
}

const data = randomBytes(SIZE)
const key = randomBytes(32)
const iv = randomBytes(32)
const authKey = randomBytes(256)
const cbcEncrypt = (d: Buffer): Buffer => Buffer.concat([createCipheriv('aes-256-cbc', key, iv.subarray(0, 16)).setAutoPadding(false).update(d)])
const cbcDecrypt = (d: Buffer): Buffer => Buffer.concat([createDecipheriv('aes-256-cbc', key, iv.subarray(0, 16)).setAutoPadding(false).update(d)])

// A 512 KiB client → server message as the server receives it (x = 0).
const body = data.subarray(0, SIZE - 64)
const packet = sealPacket(authKey, 1n, { salt: 2n, sessionId: 3n, msgId: 4n << 32n, seqno: 1, body }, randomBytes, 0)
const serverBound = { salt: 2n, sessionId: 3n, msgId: (4n << 32n) | 1n, seqno: 1, body }

function check(): void {
  const cipher = igeEncrypt(data, key, iv)
  if (!cipher.equals(Buffer.from(ige256Encrypt(data, key, iv)))) throw new Error('igeEncrypt disagrees with @mtcute/wasm')
  if (!igeDecrypt(cipher, key, iv).equals(data)) throw new Error('igeDecrypt (wasm) does not invert igeEncrypt')
  if (!igeDecryptBlocks(cipher, key, iv).equals(data)) throw new Error('the block reference does not invert igeEncrypt')
  if (!cbcDecrypt(cbcEncrypt(data)).equals(data)) throw new Error('CBC anchor broken')
  if (!openPacket(authKey, packet).body.equals(body)) throw new Error('openPacket lost the body')
}

/** Median CPU ms per call over `rounds` rounds, each long enough (≥ 200 ms) to be measured. */
function time(run: () => unknown): number {
  run()
  let perRound = 1
  for (;;) {
    const t0 = process.cpuUsage()
    for (let i = 0; i < perRound; i++) run()
    const d = process.cpuUsage(t0)
    if ((d.user + d.system) / 1000 >= 200) break
    perRound *= 2
  }
  const samples: number[] = []
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage()
    for (let i = 0; i < perRound; i++) run()
    const d = process.cpuUsage(t0)
    samples.push((d.user + d.system) / 1000 / perRound)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)]!
}

initSync(readFileSync(fileURLToPath(getWasmUrl())))
check()
const cipher = igeEncrypt(data, key, iv)
const contenders: [string, string, () => unknown][] = [
  ['ige-decrypt 512 KiB', 'node:crypto block by block (before)', () => igeDecryptBlocks(cipher, key, iv)],
  ['ige-decrypt 512 KiB', '@mtcute/wasm (now)', () => igeDecrypt(cipher, key, iv)],
  ['ige-encrypt 512 KiB', 'node:crypto one CBC call (now)', () => igeEncrypt(data, key, iv)],
  ['ige-encrypt 512 KiB', '@mtcute/wasm', () => ige256Encrypt(data, key, iv)],
  ['anchor aes-256-cbc 512 KiB', 'node:crypto encrypt (a chain, like IGE)', () => cbcEncrypt(data)],
  ['anchor aes-256-cbc 512 KiB', 'node:crypto decrypt (parallel)', () => cbcDecrypt(data)],
  ['receive 512 KiB message (openPacket)', 'server', () => openPacket(authKey, packet)],
  ['send 512 KiB message (sealPacket)', 'server', () => sealPacket(authKey, 1n, serverBound, randomBytes)],
]
const rows: Row[] = contenders.map(([c, impl, run]) => {
  const cpuMs = time(run)
  return { case: c, impl, cpuMs, mbPerS: SIZE / 1e6 / (cpuMs / 1000) }
})

const find = (c: string, impl: string): number => rows.find((r) => r.case.startsWith(c) && r.impl.startsWith(impl))!.cpuMs
const anchor = find('anchor', 'node:crypto encrypt')
const ratios = {
  'igeDecrypt wasm / cbc-encrypt anchor (CPU ms)': find('ige-decrypt', '@mtcute') / anchor,
  'igeDecrypt before / wasm (speed-up)': find('ige-decrypt', 'node:crypto') / find('ige-decrypt', '@mtcute'),
  'igeEncrypt / cbc-encrypt anchor (CPU ms)': find('ige-encrypt', 'node:crypto') / anchor,
  'openPacket / cbc-encrypt anchor (CPU ms)': find('receive', 'server') / anchor,
}

for (const r of rows) {
  console.log(`${r.case.padEnd(38)} ${r.impl.padEnd(40)} ${r.cpuMs.toFixed(3).padStart(8)} ms CPU ${r.mbPerS.toFixed(0).padStart(6)} MB/s`)
}
console.log()
for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(48)} ${v.toFixed(2)}`)

const report = {
  name: 'server-crypto',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version, loadavg1: loadavg()[0] },
  rounds,
  rows,
  ratios,
}
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(join(root, 'bench/results/server-crypto.json'), JSON.stringify(report, null, 2) + '\n')
console.log('\nwrote bench/results/server-crypto.json')
