import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// The demo page and the browser suites import this package, so nothing it loads may need
// Node: a node:* builtin (the reason the server's own client could not be used on a page)
// or any third-party module. Its whole graph must be its own files and browser-safe
// workspace packages.

const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const WORKSPACE = /^@pfs-web\/([a-z-]+)$/

/** Every module reachable from `entry`, and every import that is neither relative nor a workspace package. */
function moduleGraph(entry: string): { files: string[]; foreign: string[] } {
  const files = new Set<string>()
  const foreign: string[] = []
  const visit = (file: string): void => {
    if (files.has(file)) return
    files.add(file)
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      const workspace = WORKSPACE.exec(spec)
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec))
      else if (workspace) visit(join(packagesDir, workspace[1]!, 'src/index.ts'))
      else foreign.push(`${file}: ${spec}`)
    }
  }
  visit(join(packagesDir, entry))
  return { files: [...files].map((f) => f.slice(packagesDir.length + 1)).sort(), foreign }
}

describe('@pfs-web/control-client in a browser', () => {
  it('loads only its own modules and @pfs-web/errors: no node:* builtin, no third-party module', () => {
    const { files, foreign } = moduleGraph('control-client/src/index.ts')
    expect(foreign).toEqual([])
    expect(files).toEqual([
      'control-client/src/control-client.ts',
      'control-client/src/errors.ts',
      'control-client/src/index.ts',
      'control-client/src/protocol.ts',
      'errors/src/errors.ts',
      'errors/src/index.ts',
    ])
  })

  it('the walk finds a builtin where there is one: the server control port reaches node:http', () => {
    const { foreign } = moduleGraph('server/src/control/http.ts')
    expect(foreign).toContain(`${join(packagesDir, 'server/src/control/http.ts')}: node:http`)
  })
})
