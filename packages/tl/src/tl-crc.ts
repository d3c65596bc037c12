/**
 * The constructor-id recipe of shared/spec/mtproto-tl.md §0: normalise a schema line,
 * then CRC32 (IEEE) it. The generator refuses a line whose #id disagrees, and a test
 * re-checks every line, so a typo in a hand-copied id can never reach the wire.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** Steps 1-7 of the recipe; `line` is one declaration, comments already stripped. */
export function normalizeTlLine(line: string): string {
  let s = line.trim().replace(/;$/, '')
  s = s.replace(/^([\w.]+)#[0-9a-fA-F]+/, '$1')
  s = s.replace(/[{}]/g, '')
  s = s.replace(/<(\S*?)>/g, ' $1')
  s = s.replace(/%([\w.]+)/g, (_m, t: string) => lowerFirstOfName(t))
  s = s.replace(/(^|\s)\w+:flags\d*\.\d+\?true(?=\s|$)/g, '')
  s = s.replace(/([\s:?])bytes(?=\s|$)/g, '$1string')
  return s.replace(/\s+/g, ' ').trim()
}

/** The id a declaration line should carry. */
export function tlLineId(line: string): number {
  return crc32(new TextEncoder().encode(normalizeTlLine(line)))
}

function lowerFirstOfName(type: string): string {
  const dot = type.lastIndexOf('.')
  return type.slice(0, dot + 1) + type.charAt(dot + 1).toLowerCase() + type.slice(dot + 2)
}
