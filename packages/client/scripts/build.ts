/**
 * Builds the published shape of @pfs-web/client into dist/ (issue #14):
 *
 *   index.js    the main-thread entry: client, wire handlers and error classes; imports
 *               only `comlink` (a dependency), so no crypto, TL or WebAssembly ships here
 *   index.d.ts  its declarations, with the internal packages' types inlined
 *   worker.js   the engine worker, self-contained: every import (the internal packages,
 *               comlink, idb-keyval) is bundled in, so a consumer's dev server serves it
 *               as-is and never has to discover or pre-bundle a dependency of the worker
 *   shared-worker.js  the same engine as a SharedWorker serving every tab (#15), as self-contained
 *
 * index.js starts them as `new Worker(new URL('./worker.js', import.meta.url))` and
 * `new SharedWorker(new URL('./shared-worker.js', import.meta.url))`, the forms bundlers
 * (Vite, Rollup, webpack 5, esbuild) recognise to emit a worker chunk.
 * The internal packages stay private: one package carries them, so there is one version
 * to install and the engine's internals are not a public API.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rolldown, type Plugin } from 'rolldown'
import { dts } from 'rolldown-plugin-dts'

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const workerDir = resolve(pkgDir, '../worker')
const dist = join(pkgDir, 'dist')

/** Each worker entry in source, the file it is built as, and the URL literal naming it. */
const WORKER_ENTRIES = [
  { source: 'entry.ts', dist: 'worker' },
  { source: 'shared-entry.ts', dist: 'shared-worker' },
] as const
const urlOf = (file: string): string => `new URL('./${file}', import.meta.url)`

/** Points createWorker() and createSharedWorker() at the built files; fails the build if a literal moved. */
function workerUrl(): Plugin {
  let rewritten = false
  return {
    name: 'pfs-worker-url',
    transform(code, id) {
      if (!id.endsWith('/worker/src/create-worker.ts')) return null
      let out = code
      for (const entry of WORKER_ENTRIES) {
        if (!out.includes(urlOf(entry.source))) this.error(`create-worker.ts no longer contains ${urlOf(entry.source)}`)
        out = out.replace(urlOf(entry.source), urlOf(`${entry.dist}.js`))
      }
      rewritten = true
      return out
    },
    buildEnd() {
      if (!rewritten) this.error('createWorker() was not part of the main-thread bundle')
    },
  }
}

/**
 * Errors cross the worker boundary by class name (worker/src/wire.ts) and keep it as
 * `name`, but a consumer's minifier renames classes, differently in the page and the
 * worker. Pinning each error class's name here keeps `instanceof RpcError` and
 * `err.name` working in a minified app.
 */
function pinErrorNames(): Plugin {
  const pinned = new Set<string>()
  return {
    name: 'pfs-pin-error-names',
    transform(code, id) {
      if (!/\/packages\/[^/]+\/src\/.*\.ts$/.test(id)) return null
      const names = [...code.matchAll(/^export class (\w+) extends \w*Error\b/gm)].map((m) => m[1] as string)
      if (names.length === 0) return null
      for (const name of names) pinned.add(name)
      const pins = names.map((name) => `Object.defineProperty(${name}, 'name', { value: '${name}' })`)
      return `${code}\n${pins.join('\n')}\n`
    },
    buildEnd() {
      if (!pinned.has('PfsError')) this.error('no error class names were pinned')
    },
  }
}

/** What must never reach the page: the worker's crypto (bar its error classes), TL, storage. */
const WORKER_ONLY = /\/packages\/(crypto\/src\/(?!errors\.ts$)|tl\/)|\/node_modules\/(.*\/)?(idb-keyval|jsbn)\//

/** Builds index.js and index.d.ts; returns the modules in index.js. */
async function buildMain(): Promise<string[]> {
  const bundle = await rolldown({
    input: { index: join(pkgDir, 'src/index.ts') },
    platform: 'browser',
    external: ['comlink'],
    checks: { pluginTimings: false },
    tsconfig: join(pkgDir, 'tsconfig.build.json'),
    plugins: [workerUrl(), pinErrorNames(), dts({ tsconfig: join(pkgDir, 'tsconfig.build.json'), generator: 'tsc' })],
  })
  const { output } = await bundle.write({ dir: dist, format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name].js' })
  await bundle.close()
  const modules = output.flatMap((c) => (c.type === 'chunk' && c.fileName.endsWith('.js') ? c.moduleIds : []))
  const leaked = modules.filter((id) => WORKER_ONLY.test(id))
  if (leaked.length > 0) throw new Error(`worker-only modules reached the main-thread bundle:\n${leaked.join('\n')}`)
  return modules
}

async function buildWorker(entry: (typeof WORKER_ENTRIES)[number]): Promise<void> {
  const bundle = await rolldown({
    input: { [entry.dist]: join(workerDir, 'src', entry.source) },
    platform: 'browser',
    tsconfig: join(pkgDir, 'tsconfig.build.json'),
    checks: { pluginTimings: false },
    plugins: [pinErrorNames()],
  })
  await bundle.write({ dir: dist, format: 'es', entryFileNames: '[name].js', codeSplitting: false })
  await bundle.close()
}

/** The bundled third-party code keeps its licences next to it. */
async function writeNotices(): Promise<void> {
  const require = createRequire(join(workerDir, 'package.json'))
  const sections: string[] = []
  for (const [name, licence] of [['comlink', 'LICENSE'], ['idb-keyval', 'LICENCE']] as const) {
    const dir = dirname(require.resolve(`${name}/package.json`))
    const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string }
    sections.push(`${name}@${version} (bundled into worker.js and shared-worker.js)\n\n${(await readFile(join(dir, licence), 'utf8')).trim()}\n`)
  }
  await writeFile(join(dist, 'THIRD-PARTY-LICENSES.txt'), sections.join('\n' + '-'.repeat(72) + '\n\n'))
}

export interface BuiltClient {
  dist: string
  /** Module ids bundled into the main-thread entry. */
  mainModules: string[]
}

export async function buildClient(): Promise<BuiltClient> {
  await rm(dist, { recursive: true, force: true })
  await mkdir(dist, { recursive: true })
  const mainModules = await buildMain()
  for (const entry of WORKER_ENTRIES) await buildWorker(entry)
  await writeNotices()
  return { dist, mainModules }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildClient()
  console.log(`built ${dist}`)
}
