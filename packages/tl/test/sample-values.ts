/**
 * Builds a random but valid value for any schema entry from the generated metadata,
 * so every constructor is exercised without hand-written fixtures.
 */
import { TL_SCHEMA, serializeObject } from '../src/index.ts'
import type { TlEntryMeta, TlObject, TlTypeRef } from '../src/index.ts'
import type { Rng } from './seeded.ts'

const byName = new Map(TL_SCHEMA.map((e) => [e.name, e]))
const UNKNOWN_ID = 0x0badf00d

export function entry(name: string): TlEntryMeta {
  const e = byName.get(name)
  if (!e) throw new Error(`no entry ${name}`)
  return e
}

export interface SampleOptions {
  /** 'all' sets every optional, 'none' clears them, 'random' flips a coin per flag bit. */
  flags: 'all' | 'none' | 'random'
  maxDepth: number
}

export function sampleObject(e: TlEntryMeta, g: Rng, o: SampleOptions, depth = 0): TlObject {
  return { _: e.name, ...sampleFields(e, g, o, depth) } as TlObject
}

function sampleFields(e: TlEntryMeta, g: Rng, o: SampleOptions, depth: number): Record<string, unknown> {
  const present = new Map<string, boolean>()
  const out: Record<string, unknown> = {}
  for (const p of e.params) {
    if (p.type.k === 'nat') continue
    if (p.flag) {
      const key = `${p.flag.word}.${p.flag.bit}`
      if (!present.has(key)) present.set(key, o.flags === 'all' || (o.flags === 'random' && g.float() < 0.5))
      if (!present.get(key)) continue
    }
    out[p.name] = sampleValue(p.type, g, o, depth)
  }
  // message.bytes is recomputed on encode; a decoded value carries the true length.
  if (e.params.some((p) => p.name === 'bytes') && e.params.some((p) => p.name === 'body')) {
    out.bytes = serializeObject(out.body as TlObject).length
  }
  return out
}

export function sampleValue(t: TlTypeRef, g: Rng, o: SampleOptions, depth: number): unknown {
  switch (t.k) {
    case 'int':
      return g.int(2 ** 32) - 2 ** 31
    case 'nat':
      return g.int(2 ** 32)
    case 'long':
      return BigInt.asIntN(64, BigInt(g.int(2 ** 32)) * 2n ** 32n + BigInt(g.int(2 ** 32)))
    case 'double':
      return (g.float() - 0.5) * 10 ** g.int(20)
    case 'int128':
      return g.bytes(16)
    case 'int256':
      return g.bytes(32)
    case 'bytes':
      return g.bytes(g.pick([0, 1, 3, 4, 253, 254, 255, 300]))
    case 'string':
      return g.pick(['', 'a', 'dc.example', 'Ünïcødé ✓', 'x'.repeat(260)])
    case 'Bool':
      return g.float() < 0.5
    case 'true':
      return true
    case 'Object':
      return sampleAnyObject(g, o, depth + 1)
    case 'vector': {
      const n = depth >= o.maxDepth ? 0 : g.int(4)
      return Array.from({ length: n }, () => sampleValue(t.of, g, o, depth + 1))
    }
    case 'boxed': {
      const members = TL_SCHEMA.filter((e) => e.kind === 'constructor' && e.type === t.type)
      const leafs = members.filter((e) => e.params.length === 0)
      const pool = depth >= o.maxDepth && leafs.length > 0 ? leafs : members
      return sampleObject(g.pick(pool), g, o, depth + 1)
    }
    case 'bare':
      return sampleFields(entry(t.ctor), g, o, depth + 1)
  }
}

/** Any boxed value: a known object, or TlRaw with an id the schema lacks. */
function sampleAnyObject(g: Rng, o: SampleOptions, depth: number): TlObject {
  if (depth >= o.maxDepth || g.float() < 0.2) {
    const words = g.int(4)
    const bytes = new Uint8Array(4 + words * 4)
    new DataView(bytes.buffer).setUint32(0, UNKNOWN_ID, true)
    bytes.set(g.bytes(words * 4), 4)
    return { _: 'raw', id: UNKNOWN_ID, bytes }
  }
  return sampleObject(g.pick(TL_SCHEMA), g, o, depth)
}
