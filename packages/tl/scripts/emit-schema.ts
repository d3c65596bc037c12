/** Emits generated/schema.ts: the parsed schema as data, for tests and tooling. */
import type { ParsedSchema } from './parse-schema.ts'
import { HEADER } from './emit-common.ts'

export function emitSchema(s: ParsedSchema): string {
  return [
    HEADER,
    "import type { TlEntryMeta } from '../schema-meta.ts'",
    '',
    `export const TL_LAYER = ${s.layer}`,
    '',
    'export const TL_SCHEMA: readonly TlEntryMeta[] = [',
    ...s.entries.map((e) => `  ${JSON.stringify(e)},`),
    ']',
    '',
    '/** Declarations the runtime implements by hand (the Vector builtin). */',
    'export const TL_BUILTINS: readonly { line: string; id: number }[] = [',
    ...s.builtins.map((b) => `  ${JSON.stringify(b)},`),
    ']',
    '',
  ].join('\n')
}
