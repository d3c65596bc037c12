/**
 * A fresh consumer app outside the workspace: the packed @pfs-web/client tarball installed
 * into create-vite's vanilla TypeScript template, with our page as its src/main.ts.
 */
import { spawn } from 'node:child_process'
import { copyFile, readdir, readFile } from 'node:fs/promises'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * The template the app starts from. Its tsconfig is what a new user gets: strict (the
 * TypeScript 7 default), noUnusedLocals, noUnusedParameters, erasableSyntaxOnly,
 * verbatimModuleSyntax, bundler resolution; its build is `tsc && vite build`.
 */
export const CREATE_VITE = 'create-vite@9.3.0'

export interface RunResult {
  code: number | null
  output: string
}

/** Runs a command to completion, collecting stdout and stderr together. */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

async function mustRun(command: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd)
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.output}`)
  return result.output
}

async function pnpmVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { packageManager: string }
  return pkg.packageManager.split('@')[1] as string
}

/** `pnpm pack` of @pfs-web/client (its prepack builds dist/); returns the tarball's path. */
export async function packClient(into: string): Promise<string> {
  await mustRun('npx', ['-y', `pnpm@${await pnpmVersion()}`, '--filter', '@pfs-web/client', 'pack', '--pack-destination', into], repoRoot)
  const tarball = (await readdir(into)).find((f) => f.endsWith('.tgz'))
  if (!tarball) throw new Error(`no tarball in ${into}`)
  return join(into, tarball)
}

/**
 * Scaffolds the template into `parent/app`, puts our page in, and installs the tarball
 * with npm (the template's own dependencies come from the npm registry, through npm's
 * cache when it has them).
 */
export async function createApp(parent: string, tarball: string): Promise<string> {
  await mustRun('npx', ['-y', CREATE_VITE, 'app', '--template', 'vanilla-ts', '--no-interactive'], parent)
  const app = join(parent, 'app')
  await copyFile(join(repoRoot, 'e2e/consumer/app/src/main.ts'), join(app, 'src/main.ts'))
  await mustRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app)
  return app
}

/** TypeScript's error lines (`error TS2322: …`) in a tsc run's output. */
export function tscErrors(output: string): string[] {
  return output.split('\n').filter((line) => /error TS\d+/.test(line))
}

async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface DevServer {
  port: number
  close(): Promise<void>
}

/** The template's `npm run dev` (plain `vite`), on a free loopback port. */
export async function startDevServer(app: string): Promise<DevServer> {
  const port = await freePort()
  const child = spawn(join(app, 'node_modules/.bin/vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite dev not ready after 60 s:\n${output}`)), 60_000)
    const onData = (chunk: Buffer): void => {
      // Vite colours the port even when piped.
      output += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '')
      if (output.includes(`:${port}/`)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`vite dev exited ${code}:\n${output}`))
    })
  })
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
