/** Emits generated/codecs.ts: a decoder and an encoder per constructor and method. */
import type { TlEntryMeta, TlParamMeta, TlTypeRef } from '../src/schema-meta.ts'
import { HEADER, hexId, isField, mangle, minSize, q } from './emit-common.ts'

interface Ctx {
  byName: Map<string, TlEntryMeta>
  bare: Set<string>
}

const READ: Record<string, string> = {
  int: 'r.int32()',
  long: 'r.int64()',
  double: 'r.double()',
  int128: 'r.int128()',
  int256: 'r.int256()',
  bytes: 'r.bytes()',
  string: 'r.string()',
  nat: 'r.uint32()',
  Bool: 'r.bool()',
}

const WRITE: Record<string, string> = {
  int: 'int32',
  long: 'int64',
  double: 'double',
  int128: 'int128',
  int256: 'int256',
  bytes: 'bytes',
  string: 'string',
  nat: 'uint32',
  Bool: 'bool',
}

function readExpr(t: TlTypeRef, c: Ctx): string {
  switch (t.k) {
    case 'Object':
      return 'decodeAny(r, d + 1)'
    case 'boxed':
      return `tb_${mangle(t.type)}(r, d + 1)`
    case 'bare':
      return `db_${mangle(t.ctor)}(r, d + 1)`
    case 'vector': {
      const size = minSize(t.of, c.byName)
      if (size === 0) throw new Error('vector of zero-size items cannot be bounded')
      return `${t.boxed ? 'readBoxedVector' : 'readVector'}(r, ${size}, () => ${readExpr(t.of, c)})`
    }
    case 'true':
      throw new Error('true is never read')
    default:
      return READ[t.k] ?? fail(t.k)
  }
}

function writeStmt(t: TlTypeRef, v: string, c: Ctx): string {
  switch (t.k) {
    case 'Object':
      return `encodeAny(w, ${v}, d + 1)`
    case 'boxed':
      return `te_${mangle(t.type)}(w, ${v}, d + 1)`
    case 'bare':
      return `eb_${mangle(t.ctor)}(w, ${v}, d + 1)`
    case 'vector':
      return `writeVector(w, ${t.boxed}, ${v}, (x) => ${writeStmt(t.of, 'x', c)})`
    case 'true':
      throw new Error('true is never written')
    default:
      return `w.${WRITE[t.k] ?? fail(t.k)}(${v})`
  }
}

function fail(k: string): never {
  throw new Error(`no codec for ${k}`)
}

const mask = (p: TlParamMeta): string => hexId(2 ** (p.flag?.bit ?? 0))

/** `message.body` is delimited by the `bytes:int` field just before it (mtproto-tl.md §4). */
function isDelimited(e: TlEntryMeta, i: number): boolean {
  const prev = e.params[i - 1]
  return e.params[i]?.type.k === 'Object' && prev?.name === 'bytes' && prev.type.k === 'int'
}

function tsName(e: TlEntryMeta, bare: boolean): string {
  if (bare) return `TlBareTypes[${q(e.name)}]`
  return `${e.kind === 'method' ? 'TlMethods' : 'TlConstructors'}[${q(e.name)}]`
}

function decoder(e: TlEntryMeta, c: Ctx, bare: boolean): string {
  const fn = `${bare ? 'db' : 'd'}_${mangle(e.name)}`
  const lines = [`function ${fn}(r: TlReader, d: number): ${tsName(e, bare)} {`]
  e.params.forEach((p, i) => {
    if (p.type.k === 'true') return
    const local = p.type.k === 'nat' ? `n_${p.name}` : `f_${p.name}`
    const read = isDelimited(e, i) ? `decodeDelimited(r, f_${e.params[i - 1]?.name}, d + 1)` : readExpr(p.type, c)
    const expr = p.flag ? `(n_${p.flag.word} & ${mask(p)}) !== 0 ? ${read} : undefined` : read
    lines.push(`  const ${local} = ${expr}`)
  })
  const fields = e.params.filter(isField)
  const required = fields.filter((p) => !p.flag).map((p) => `${p.name}: f_${p.name}`)
  if (!bare) required.unshift(`_: ${q(e.name)}`)
  lines.push(`  const o: ${tsName(e, bare)} = { ${required.join(', ')} }`)
  for (const p of fields.filter((x) => x.flag)) {
    if (p.type.k === 'true') lines.push(`  if ((n_${p.flag?.word} & ${mask(p)}) !== 0) o.${p.name} = true`)
    else lines.push(`  if (f_${p.name} !== undefined) o.${p.name} = f_${p.name}`)
  }
  lines.push('  return o', '}')
  return lines.join('\n')
}

function encoder(e: TlEntryMeta, c: Ctx, bare: boolean): string {
  const fn = `${bare ? 'eb' : 'e'}_${mangle(e.name)}`
  const lines = [`function ${fn}(w: TlWriter, o: ${tsName(e, bare)}, d: number): void {`]
  for (const word of e.params.filter((p) => p.type.k === 'nat')) {
    lines.push(`  let n_${word.name} = 0`)
    for (const p of e.params.filter((x) => x.flag?.word === word.name)) {
      const present = p.type.k === 'true' ? `o.${p.name} === true` : `o.${p.name} !== undefined`
      lines.push(`  if (${present}) n_${word.name} |= ${mask(p)}`)
    }
  }
  e.params.forEach((p, i) => {
    if (p.type.k === 'true') return
    if (p.type.k === 'nat') return void lines.push(`  w.uint32(n_${p.name} >>> 0)`)
    if (isDelimited(e, i + 1)) return void lines.push(`  const at_${p.name} = w.length`, '  w.int32(0)')
    if (isDelimited(e, i)) {
      const len = e.params[i - 1]?.name
      lines.push(`  encodeAny(w, o.${p.name}, d + 1)`, `  w.setInt32At(at_${len}, w.length - at_${len} - 4)`)
      return
    }
    if (p.flag) {
      const stmt = writeStmt(p.type, `need(o.${p.name}, ${q(`${e.name}.${p.name}`)})`, c)
      lines.push(`  if ((n_${p.flag.word} & ${mask(p)}) !== 0) ${stmt}`)
    } else {
      lines.push(`  ${writeStmt(p.type, `o.${p.name}`, c)}`)
    }
  })
  lines.push('}')
  return lines.join('\n')
}

function decodeCall(e: TlEntryMeta, c: Ctx): string {
  if (e.params.length === 0) return `{ _: ${q(e.name)} }`
  if (c.bare.has(e.name)) return `{ _: ${q(e.name)}, ...db_${mangle(e.name)}(r, d) }`
  return `d_${mangle(e.name)}(r, d)`
}

/** The decoder of a constructor's fields (after its id), as a table entry. */
function decoderRef(e: TlEntryMeta, c: Ctx): string {
  if (e.params.length === 0) return `() => ({ _: ${q(e.name)} })`
  if (c.bare.has(e.name)) return `(r, d) => ({ _: ${q(e.name)}, ...db_${mangle(e.name)}(r, d) })`
  return `d_${mangle(e.name)}`
}

/** The encoder of a constructor's fields (after its id), as a table entry. */
function encoderRef(e: TlEntryMeta, c: Ctx): string {
  if (e.params.length === 0) return 'noFields'
  return `${c.bare.has(e.name) ? 'eb' : 'e'}_${mangle(e.name)}`
}

function encodeCase(e: TlEntryMeta, c: Ctx): string {
  const head = `    case ${q(e.name)}:\n      w.uint32(${hexId(e.id)})\n`
  if (e.params.length === 0) return `${head}      return`
  return `${head}      ${c.bare.has(e.name) ? 'eb' : 'e'}_${mangle(e.name)}(w, o, d)\n      return`
}

/** Type-restricted decode/encode for every type used as a boxed field. */
function typedPair(type: string, entries: TlEntryMeta[], c: Ctx, profile: CodecProfile): string {
  const members = entries.filter((e) => e.kind === 'constructor' && e.type === type)
  const m = mangle(type)
  const dec = [
    `function tb_${m}(r: TlReader, d: number): TlTypes[${q(type)}] {`,
    '  if (d > MAX_DEPTH) throw tooDeep()',
    '  const id = r.uint32()',
    '  switch (id) {',
    ...members.filter((e) => profile.decodes(e.name)).map((e) => `    case ${hexId(e.id)}:\n      return ${decodeCall(e, c)}`),
    '    default:',
    `      throw wrongId(id, ${q(type)})`,
    '  }',
    '}',
  ]
  const enc = [
    `function te_${m}(w: TlWriter, o: TlTypes[${q(type)}], d: number): void {`,
    '  if (d > MAX_DEPTH) throw tooDeep()',
    '  switch (o._) {',
    ...members.filter((e) => profile.encodes(e.name)).map((e) => encodeCase(e, c)),
    '    default:',
    `      throw wrongName(o, ${q(type)})`,
    '  }',
    '}',
  ]
  return [...dec, '', ...enc].join('\n')
}

function usedBoxedTypes(entries: TlEntryMeta[]): string[] {
  const out = new Set<string>()
  const walk = (t: TlTypeRef): void => {
    if (t.k === 'vector') walk(t.of)
    else if (t.k === 'boxed') out.add(t.type)
  }
  for (const e of entries) for (const p of e.params) walk(p.type)
  return [...out]
}

/** Which constructors the top-level decode and encode take; all of them when not given. */
export interface CodecProfile {
  decodes(name: string): boolean
  encodes(name: string): boolean
  /** Kept as TlRaw in an Object position below the top level (decoded only when asked for at the top). */
  keepsRaw(name: string): boolean
}

const EVERYTHING: CodecProfile = { decodes: () => true, encodes: () => true, keepsRaw: () => false }

export function emitCodecs(entries: TlEntryMeta[], bare: Set<string>, profile: CodecProfile = EVERYTHING): string {
  const c: Ctx = { byName: new Map(entries.map((e) => [e.name, e])), bare }
  const out = [
    HEADER,
    "import { MAX_DEPTH, TlError } from '../errors.ts'",
    "import type { TlReader } from '../reader.ts'",
    "import type { TlWriter } from '../writer.ts'",
    "import { VECTOR_ID, hex, need, readVector, writeRaw, writeVector } from '../codec-runtime.ts'",
    "import type { TlBareTypes, TlConstructors, TlKnown, TlMethods, TlObject, TlTypes } from './types.ts'",
    '',
    'export const NAME_BY_ID: ReadonlyMap<number, string> = new Map([',
    // a constructor the profile neither decodes nor encodes is nameless here, so it reads as an
    // unknown one (TlRaw where raw is allowed); methods keep their names for nameOfId
    ...entries.filter((e) => e.kind === 'method' || profile.decodes(e.name) || profile.encodes(e.name)).map((e) => `  [${hexId(e.id)}, ${q(e.name)}],`),
    '])',
    'export const ID_BY_NAME: ReadonlyMap<string, number> = new Map([...NAME_BY_ID].map(([id, name]) => [name, id]))',
    '',
    // one NAME_BY_ID lacks reads as unknown, raw anyway
    ...keptRaw(entries.filter((e) => profile.keepsRaw(e.name) && (e.kind === 'method' || profile.decodes(e.name) || profile.encodes(e.name)))),
    STATIC,
    '',
    // Tables rather than switches: one entry per constructor is a third of a case's bytes
    // in the worker bundle, and a Map lookup is no slower than a long switch.
    'type Decode = (r: TlReader, d: number) => TlKnown',
    '/** The decodable constructors by id: each entry reads the fields after the id. */',
    'const DECODERS: ReadonlyMap<number, Decode> = new Map<number, Decode>([',
    ...entries.filter((e) => profile.decodes(e.name)).map((e) => `  [${hexId(e.id)}, ${decoderRef(e, c)}],`),
    '])',
    '',
    'function decodeKnown(r: TlReader, id: number, d: number): TlKnown {',
    '  const decode = DECODERS.get(id)',
    "  if (decode === undefined) throw wrongId(id, 'Object')",
    '  return decode(r, d)',
    '}',
    '',
    'type Encode = (w: TlWriter, o: never, d: number) => void',
    'const noFields: Encode = () => undefined',
    // the id to write comes from ID_BY_NAME: repeating it here cost the worker bundle 100 bytes gz
    '/** The encodable constructors by name: the writer of the fields after the id. */',
    'const ENCODERS: ReadonlyMap<string, Encode> = new Map<string, Encode>([',
    ...entries.filter((e) => profile.encodes(e.name)).map((e) => `  [${q(e.name)}, ${encoderRef(e, c)}],`),
    '])',
    '',
    '/** Encodes one boxed value; TlRaw is written verbatim. */',
    'export function encodeAny(w: TlWriter, o: TlObject, d: number): void {',
    '  if (d > MAX_DEPTH) throw tooDeep()',
    "  if (o._ === 'raw') return writeRaw(w, o)",
    '  const encode = ENCODERS.get(o._)',
    "  if (encode === undefined) throw wrongName(o, 'Object')",
    '  w.uint32(ID_BY_NAME.get(o._) as number)',
    '  encode(w, o as never, d)',
    '}',
    '',
  ]
  // a field's type is held to the profile too: the worker neither builds a proxy or JSON
  // params for initConnection nor decodes what only a client sends
  for (const t of usedBoxedTypes(entries)) out.push(typedPair(t, entries, c, profile), '')
  for (const e of entries) {
    if (e.params.length === 0) continue
    const asBare = bare.has(e.name)
    out.push(decoder(e, c, asBare), '', encoder(e, c, asBare), '')
  }
  out.push(
    '/** Bare (id-less) codecs for the constructors that travel bare. */',
    'export const BARE_CODECS: {',
    '  [N in keyof TlBareTypes]: {',
    '    decode: (r: TlReader, d: number) => TlBareTypes[N]',
    '    encode: (w: TlWriter, o: TlBareTypes[N], d: number) => void',
    '  }',
    '} = {',
    ...entries
      .filter((e) => bare.has(e.name))
      .map((e) => `  ${q(e.name)}: { decode: db_${mangle(e.name)}, encode: eb_${mangle(e.name)} },`),
    '}',
    '',
  )
  return out.join('\n')
}

/**
 * Without kept-raw entries the set is empty and decoding is as before. With them, decodeAny leaves those
 * constructors as TlRaw when they sit inside another value (an rpc_result's result), so a
 * profile that only hands them on as bytes never decodes and re-encodes them.
 */
function keptRaw(kept: TlEntryMeta[]): string[] {
  return [
    '/** Object positions below the top keep these as TlRaw (the profile only hands them on as bytes). */',
    // by name: NAME_BY_ID spells each already, where an id repeated would not compress
    `const KEPT_RAW: ReadonlySet<number | undefined> = new Set([${kept.map((e) => q(e.name)).join(', ')}].map((n) => ID_BY_NAME.get(n)))`,
    '',
  ]
}

const STATIC = `function tooDeep(): TlError {
  return new TlError('TOO_DEEP', \`objects nested deeper than \${MAX_DEPTH}\`)
}

function wrongId(id: number, expected: string): TlError {
  const name = NAME_BY_ID.get(id)
  if (name === undefined) return new TlError('UNKNOWN_CONSTRUCTOR', \`\${hex(id)} where \${expected} was expected\`)
  return new TlError('UNEXPECTED_CONSTRUCTOR', \`\${name} where \${expected} was expected\`)
}

function wrongName(o: unknown, expected: string): TlError {
  const name = typeof o === 'object' && o !== null && '_' in o ? String(o._) : typeof o
  const code = ID_BY_NAME.has(name) ? 'UNEXPECTED_CONSTRUCTOR' : 'UNKNOWN_CONSTRUCTOR'
  return new TlError(code, \`cannot encode \${name} as \${expected}\`)
}

/**
 * Decodes one boxed value in an Object/!X position. An id this schema lacks, or one the
 * profile keeps raw inside another value, becomes TlRaw spanning the rest of the bound,
 * because the embedder brings its own API TL.
 */
export function decodeAny(r: TlReader, d: number): TlObject {
  if (d > MAX_DEPTH) throw tooDeep()
  const id = r.peekUint32()
  if (!NAME_BY_ID.has(id) || (d > 0 && KEPT_RAW.has(id))) {
    // TL is made of 4-byte words, so a value running to the bound must be too.
    if (r.remaining % 4 !== 0) throw new TlError('BAD_LENGTH', \`raw \${hex(id)} spans \${r.remaining} bytes, not whole words\`)
    return { _: 'raw', id, bytes: r.raw(r.remaining) }
  }
  r.uint32()
  return decodeKnown(r, id, d)
}

/** A body whose length was given up front must be consumed exactly. */
function decodeDelimited(r: TlReader, length: number, d: number): TlObject {
  const outer = r.limit(length)
  const v = decodeAny(r, d)
  if (r.remaining !== 0) throw new TlError('BAD_LENGTH', \`body declared \${length} bytes, \${r.remaining} left unread\`)
  r.unlimit(outer)
  return v
}

function readBoxedVector<T>(r: TlReader, minItemSize: number, item: () => T): T[] {
  const id = r.uint32()
  if (id !== VECTOR_ID) throw wrongId(id, 'Vector')
  return readVector(r, minItemSize, item)
}`
