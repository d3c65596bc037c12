import { describe, expect, it } from 'vitest'
import { rng } from '../test/seeded.ts'
import { sampleObject } from '../test/sample-values.ts'
import { TL_SCHEMA, TlReader, TlWriter, decodeObject, deserializeObject, encodeObject, serializeObject } from './index.ts'
import type { TlObject } from './index.ts'

function roundTrip(value: TlObject): void {
  const bytes = serializeObject(value)
  const back = deserializeObject(bytes)
  expect(back).toEqual(value)
  expect(serializeObject(back)).toEqual(bytes)
}

describe('every generated constructor and method round-trips', () => {
  it.each(TL_SCHEMA.map((e) => ({ name: e.name, e })))('$name', ({ e }) => {
    roundTrip(sampleObject(e, rng(1), { flags: 'all', maxDepth: 3 }))
    roundTrip(sampleObject(e, rng(2), { flags: 'none', maxDepth: 3 }))
    for (let seed = 3; seed < 23; seed++) roundTrip(sampleObject(e, rng(seed), { flags: 'random', maxDepth: 4 }))
  })

  it('encodeObject/decodeObject compose with surrounding primitives', () => {
    const w = new TlWriter().int32(7)
    encodeObject(w, { _: 'ping', ping_id: 5n })
    w.int32(9)
    const r = new TlReader(w.finish())
    expect(r.int32()).toBe(7)
    expect(decodeObject(r)).toEqual({ _: 'ping', ping_id: 5n })
    expect(r.int32()).toBe(9)
  })
})
