import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { ControlClient } from '@pfs-web/control-client'
import { connectPfs } from './test-support/pfs-client.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

it('CLI contract: flags, one "pfs-server ready" line, key in --data, served endpoints, clean SIGTERM exit', async () => {
  const data = mkdtempSync(join(tmpdir(), 'pfs-cli-'))
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'packages/server/src/cli.ts', '--host', '127.0.0.1', '--tcp-port', '0', '--ws-port', '0', '--control-port', '0', '--data', data],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  await new Promise<void>((ready, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('pfs-server ready\n')) ready()
    })
    child.on('exit', (code) => fail(new Error(`exited early with ${code}`)))
  })
  const port = (name: string): number => Number(new RegExp(`${name}\\s+\\S*?127\\.0\\.0\\.1:(\\d+)`).exec(out)?.[1])
  const control = new ControlClient(`http://127.0.0.1:${port('control')}`)
  const pem = await control.rsaPem()
  expect(pem).toContain('BEGIN RSA PUBLIC KEY')
  expect(readFileSync(join(data, 'rsa-private.pem'), 'utf8')).toContain('PRIVATE KEY')
  const info = await control.info()
  expect(info.tcpPort).toBe(port('tcp'))
  expect(info.wsUrl).toBe(`ws://127.0.0.1:${port('ws')}/apiws`)
  const c = await connectPfs({ kind: 'ws', host: '127.0.0.1', port: info.wsPort, framing: 'intermediate', obfuscated: true }, pem)
  expect((await c.session.api({ _: 'help.getConfig' }))._).toBe('config')
  c.close()
  expect(out.match(/pfs-server ready/g)).toHaveLength(1)
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  child.kill('SIGTERM')
  expect(await exit).toBe(0)
  rmSync(data, { recursive: true, force: true })
}, 30_000)
