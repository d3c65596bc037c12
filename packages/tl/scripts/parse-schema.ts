/**
 * Parses schema/pfs.tl into entries the emitters and the tests share. Anything the
 * codec could not honour (an unknown type, a bad id, a duplicate name) stops generation.
 */
import { PfsError } from '@pfs-web/errors'
import { tlLineId } from '../src/tl-crc.ts'
import type { TlEntryMeta, TlParamMeta, TlTypeRef } from '../src/schema-meta.ts'

export type SchemaErrorCode = 'NO_LAYER' | 'PARSE' | 'ID_MISMATCH' | 'DUPLICATE' | 'UNKNOWN_TYPE' | 'BAD_FLAG'

/** Generation stops on any of these; nothing is written. */
export class SchemaError extends PfsError {
  declare readonly code: SchemaErrorCode
  constructor(code: SchemaErrorCode, message: string) {
    super(code, message)
  }
}

export interface ParsedSchema {
  layer: number
  entries: TlEntryMeta[]
  /** Lines handled by the runtime itself (the `vector` builtin): CRC-checked only. */
  builtins: { line: string; id: number }[]
}

const BASE = new Set(['int', 'long', 'double', 'int128', 'int256', 'bytes', 'string'])

export function parseSchema(text: string): ParsedSchema {
  let layer: number | undefined
  let kind = 'constructor' as 'constructor' | 'method'
  const entries: TlEntryMeta[] = []
  const builtins: ParsedSchema['builtins'] = []
  const raw: { line: string; lineNo: number; kind: typeof kind }[] = []

  text.split('\n').forEach((full, i) => {
    const layerMatch = /^\/\/\s*@layer\s+(\d+)/.exec(full.trim())
    if (layerMatch) layer = Number(layerMatch[1])
    const line = full.replace(/\/\/.*$/, '').trim()
    if (line === '') return
    if (line === '---functions---') kind = 'method'
    else if (line === '---types---') kind = 'constructor'
    else raw.push({ line, lineNo: i + 1, kind })
  })
  if (layer === undefined) throw new SchemaError('NO_LAYER', 'schema: missing `// @layer N` line')

  for (const { line, lineNo, kind: k } of raw) {
    const where = `schema line ${lineNo}`
    const m = /^([\w.]+)(?:#([0-9a-f]{1,8}))?\s+(.*?)\s*=\s*([\w.]+)(?:\s+\w+)?\s*;$/.exec(line)
    if (!m) throw new SchemaError('PARSE', `${where}: cannot parse "${line}"`)
    const [, name = '', idHex, body = '', result = ''] = m
    const computed = tlLineId(line)
    if (idHex !== undefined && parseInt(idHex, 16) !== computed) {
      throw new SchemaError('ID_MISMATCH', `${where}: ${name}#${idHex} but the CRC32 of the line is ${computed.toString(16).padStart(8, '0')}`)
    }
    if (line.includes('[')) {
      builtins.push({ line, id: computed })
      continue
    }
    const params: TlParamMeta[] = []
    let generic: string | undefined
    for (const token of body.split(/\s+/).filter((t) => t !== '')) {
      const g = /^\{(\w+):Type\}$/.exec(token)
      if (g) {
        generic = g[1]
        continue
      }
      const p = /^(\w+):(?:(\w+)\.(\d+)\?)?(.+)$/.exec(token)
      if (!p) throw new SchemaError('PARSE', `${where}: cannot parse parameter "${token}"`)
      const [, pname = '', word, bit, type = ''] = p
      const param: TlParamMeta = { name: pname, type: parseType(type, generic, where) }
      if (word !== undefined) param.flag = { word, bit: Number(bit) }
      params.push(param)
    }
    entries.push({ name, id: computed, kind: k, type: result, params, line, bareOnly: idHex === undefined })
  }
  validate(entries)
  return { layer, entries, builtins }
}

function parseType(t: string, generic: string | undefined, where: string): TlTypeRef {
  if (t === '#') return { k: 'nat' }
  if (t === 'true') return { k: 'true' }
  if (t === 'Bool') return { k: 'Bool' }
  if (t === 'Object' || (generic !== undefined && t === `!${generic}`)) return { k: 'Object' }
  if (BASE.has(t)) return { k: t as 'int' }
  const v = /^(Vector|vector)<(.+)>$/.exec(t)
  if (v) return { k: 'vector', boxed: v[1] === 'Vector', of: parseType(v[2] ?? '', generic, where) }
  // `%Type` is resolved to its single constructor once all lines are known.
  if (t.startsWith('%')) return { k: 'bare', ctor: t }
  const last = t.slice(t.lastIndexOf('.') + 1)
  if (/^[a-z]/.test(last)) return { k: 'bare', ctor: t }
  if (/^[A-Z]/.test(last)) return { k: 'boxed', type: t }
  throw new SchemaError('UNKNOWN_TYPE', `${where}: unsupported type "${t}"`)
}

/** Resolves bare references and checks every referenced type exists. */
function validate(entries: TlEntryMeta[]): void {
  const names = new Set<string>()
  const ids = new Set<number>()
  for (const e of entries) {
    if (names.has(e.name)) throw new SchemaError('DUPLICATE', `schema: duplicate name ${e.name}`)
    if (ids.has(e.id)) throw new SchemaError('DUPLICATE', `schema: duplicate id ${e.id.toString(16)} (${e.name})`)
    names.add(e.name)
    ids.add(e.id)
  }
  const ctors = entries.filter((e) => e.kind === 'constructor')
  const check = (t: TlTypeRef, owner: string): void => {
    if (t.k === 'vector') return check(t.of, owner)
    if (t.k === 'boxed' && !ctors.some((c) => c.type === t.type)) {
      throw new SchemaError('UNKNOWN_TYPE', `schema: ${owner} uses type ${t.type}, which has no constructor`)
    }
    if (t.k === 'bare') {
      if (t.ctor.startsWith('%')) {
        const of = ctors.filter((c) => c.type === t.ctor.slice(1))
        const only = of[0]
        if (of.length !== 1 || !only) throw new SchemaError('UNKNOWN_TYPE', `schema: ${owner}: ${t.ctor} needs exactly one constructor`)
        t.ctor = only.name
      } else if (!ctors.some((c) => c.name === t.ctor)) {
        throw new SchemaError('UNKNOWN_TYPE', `schema: ${owner} uses bare ${t.ctor}, which is not a constructor`)
      }
    }
  }
  for (const e of entries) {
    for (const p of e.params) {
      check(p.type, e.name)
      if (p.flag && !e.params.some((q) => q.name === p.flag?.word && q.type.k === 'nat')) {
        throw new SchemaError('BAD_FLAG', `schema: ${e.name}.${p.name} uses undeclared flags word ${p.flag.word}`)
      }
      if (p.type.k === 'true' && !p.flag) throw new SchemaError('BAD_FLAG', `schema: ${e.name}.${p.name}: true outside flags`)
    }
  }
}
