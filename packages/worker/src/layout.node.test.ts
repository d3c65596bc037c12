/**
 * The worker's layout as issue #12 fixed it, read from the source itself: policy/ decides and
 * never touches the world (no clock, timer, randomness or I/O, and no import from outside
 * policy/), and no module imports itself back through others, types included.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = dirname(fileURLToPath(import.meta.url))

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sources(path)
    return e.name.endsWith('.ts') && !e.name.includes('.test.') ? [path] : []
  })
}

/** Every module specifier a file imports or re-exports, type-only ones too. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!)
}

/** Cycles among the modules (Tarjan's strongly connected components larger than one file). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!))
    }
    if (low.get(v) !== idx.get(v)) return
    const scc: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      scc.push(relative(SRC, w))
    } while (w !== v)
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort())
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return found
}

const files = sources(SRC)
const graph = new Map(files.map((f) => [f, specifiers(f).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(f), s))]))

describe('worker source layout (issue #12)', () => {
  it('finds the modules it checks', () => {
    expect(files.some((f) => f.includes('/policy/pfs/temp-key-policy.ts'))).toBe(true)
    expect(files.some((f) => f.includes('/edge/dc/dc-runtime.ts'))).toBe(true)
  })

  it('has no import cycle, type-only imports included', () => {
    expect(cycles(graph)).toEqual([])
  })

  it('the cycle finder does find one', () => {
    const g = new Map([
      ['/a', ['/b']],
      ['/b', ['/c']],
      ['/c', ['/a']],
      ['/d', ['/a']],
    ])
    expect(cycles(g)).toHaveLength(1)
  })

  const policy = files.filter((f) => f.startsWith(join(SRC, 'policy') + '/'))
  it.each(policy.map((f) => [relative(SRC, f), f]))('%s imports only policy/ modules', (_name, file) => {
    const outside = specifiers(file).filter((s) => !s.startsWith('.') || !resolve(dirname(file), s).startsWith(join(SRC, 'policy') + '/'))
    expect(outside).toEqual([])
  })

  it.each(policy.map((f) => [relative(SRC, f), f]))('%s reads no clock, timer, randomness or I/O of its own', (_name, file) => {
    const text = readFileSync(file, 'utf8')
    const uses = text.match(/\b(Date\.now|new Date\(|performance\.now|setTimeout|setInterval|queueMicrotask|Math\.random|crypto\.|globalThis|fetch\(|WebSocket)\b/g) ?? []
    expect(uses).toEqual([])
  })
})
