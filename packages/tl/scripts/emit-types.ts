/** Emits generated/types.ts: one object type per constructor and method. */
import type { TlEntryMeta, TlTypeRef } from '../src/schema-meta.ts'
import { HEADER, isField, q } from './emit-common.ts'

export function tsType(t: TlTypeRef): string {
  switch (t.k) {
    case 'int':
    case 'double':
    case 'nat':
      return 'number'
    case 'long':
      return 'bigint'
    case 'int128':
    case 'int256':
    case 'bytes':
      return 'Uint8Array'
    case 'string':
      return 'string'
    case 'Bool':
    case 'true':
      return 'boolean'
    case 'Object':
      return 'TlObject'
    case 'vector':
      return `${wrap(tsType(t.of))}[]`
    case 'boxed':
      return `TlTypes[${q(t.type)}]`
    case 'bare':
      return `TlBareTypes[${q(t.ctor)}]`
  }
}

function wrap(s: string): string {
  return /^[\w[\]'".]+$/.test(s) ? s : `(${s})`
}

function objectType(e: TlEntryMeta, withTag: boolean): string {
  const fields = e.params.filter(isField).map((p) => `${p.name}${p.flag ? '?' : ''}: ${tsType(p.type)}`)
  if (withTag) fields.unshift(`_: ${q(e.name)}`)
  return fields.length === 0 ? '{}' : `{ ${fields.join('; ')} }`
}

export function emitTypes(entries: TlEntryMeta[], bare: Set<string>): string {
  const ctors = entries.filter((e) => e.kind === 'constructor')
  const methods = entries.filter((e) => e.kind === 'method')
  const types = [...new Set(ctors.map((c) => c.type))]
  const out = [HEADER, '']
  out.push('/** Every constructor, keyed by its schema name. */', 'export interface TlConstructors {')
  for (const c of ctors) out.push(`  ${q(c.name)}: ${objectType(c, true)}`)
  out.push('}', '', '/** Every method call, keyed by its schema name. */', 'export interface TlMethods {')
  for (const m of methods) out.push(`  ${q(m.name)}: ${objectType(m, true)}`)
  out.push('}', '', '/** Each boxed type as the union of its constructors. */', 'export interface TlTypes {')
  for (const t of types) {
    const members = ctors.filter((c) => c.type === t).map((c) => `TlConstructors[${q(c.name)}]`)
    out.push(`  ${q(t)}: ${members.join(' | ')}`)
  }
  out.push('}', '', '/** Constructors that also travel bare (no id), as their fields alone. */', 'export interface TlBareTypes {')
  for (const c of ctors.filter((x) => bare.has(x.name))) out.push(`  ${q(c.name)}: ${objectType(c, false)}`)
  out.push('}', '', '/** What each method answers with inside rpc_result (TlObject where the schema cannot say). */')
  out.push('export interface TlMethodResults {')
  for (const m of methods) {
    const known = ctors.some((c) => c.type === m.type)
    out.push(`  ${q(m.name)}: ${known ? `TlTypes[${q(m.type)}]` : 'TlObject'}`)
  }
  out.push('}', '')
  out.push(
    '/** A boxed value whose id this schema does not know, kept verbatim (bytes include the 4-byte id). */',
    "export interface TlRaw { _: 'raw'; id: number; bytes: Uint8Array }",
    'export type TlKnown = TlConstructors[keyof TlConstructors] | TlMethods[keyof TlMethods]',
    'export type TlObject = TlKnown | TlRaw',
    'export type TlName = TlKnown[\'_\']',
    '',
  )
  return out.join('\n')
}
