/**
 * Regenerates src/generated/*.ts from schema/pfs.tl:
 *   pnpm --filter @pfs-web/tl generate   (or npx tsx packages/tl/scripts/generate.ts)
 * Fails, writing nothing, if any declared #id disagrees with the CRC32 of its line.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TlEntryMeta, TlTypeRef } from '../src/schema-meta.ts'
import { CLIENT_KEEPS_RAW, CLIENT_NEVER_DECODES, CLIENT_NEVER_ENCODES } from './client-profile.ts'
import { emitCodecs } from './emit-codecs.ts'
import { emitSchema } from './emit-schema.ts'
import { emitTypes } from './emit-types.ts'
import { parseSchema } from './parse-schema.ts'

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
export const SCHEMA_PATH = join(PACKAGE_DIR, 'schema', 'pfs.tl')

/** Constructors referenced bare, plus those declared without an id. */
function bareConstructors(entries: TlEntryMeta[]): Set<string> {
  const out = new Set(entries.filter((e) => e.bareOnly).map((e) => e.name))
  const walk = (t: TlTypeRef): void => {
    if (t.k === 'vector') walk(t.of)
    else if (t.k === 'bare') out.add(t.ctor)
  }
  for (const e of entries) for (const p of e.params) walk(p.type)
  return out
}

/** File name (relative to src/generated) → content. */
export function generate(schemaText: string): Map<string, string> {
  const parsed = parseSchema(schemaText)
  const bare = bareConstructors(parsed.entries)
  return new Map([
    ['types.ts', emitTypes(parsed.entries, bare)],
    ['codecs.ts', emitCodecs(parsed.entries, bare)],
    [
      'codecs-client.ts',
      emitCodecs(parsed.entries, bare, {
        decodes: (n) => !CLIENT_NEVER_DECODES.has(n),
        encodes: (n) => !CLIENT_NEVER_ENCODES.has(n),
        keepsRaw: (n) => CLIENT_KEEPS_RAW.has(n),
      }),
    ],
    ['schema.ts', emitSchema(parsed)],
  ])
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = generate(readFileSync(SCHEMA_PATH, 'utf8'))
  for (const [name, text] of files) writeFileSync(join(PACKAGE_DIR, 'src', 'generated', name), text)
  process.stdout.write(`wrote ${[...files.keys()].join(', ')} to src/generated\n`)
}
