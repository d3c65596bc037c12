import { describe, expect, it } from 'vitest'
import vectors from '../test/vectors/auth-key-sample.json'
import { fromHex, toHex } from '../test/hex.ts'
import { sampleObject } from '../test/sample-values.ts'
import { rng } from '../test/seeded.ts'
import type { Rng } from '../test/seeded.ts'
import { TL_SCHEMA, TlError, deserializeObject, serializeObject } from './index.ts'
import type { TlObject } from './index.ts'

const ITERATIONS = 12_000

/** Valid encodings of every entry plus the official sample bodies. */
function corpus(): Uint8Array[] {
  const out = [vectors.reqPqMulti, vectors.resPQ, vectors.serverDhInnerData, vectors.clientDhInnerData, vectors.dhGenOk].map(
    (v) => fromHex(v.body),
  )
  TL_SCHEMA.forEach((e, i) => {
    for (let s = 0; s < 3; s++) out.push(serializeObject(sampleObject(e, rng(1000 * i + s), { flags: 'random', maxDepth: 3 })))
  })
  return out
}

const EVIL_WORDS = [0x7fffffff, 0xffffffff, 0x80000000, 0x00ffffff, 0x000000fe, 0x000000ff, 0x1cb5c415, 0xfffffffe, 64, 1024]

function mutate(base: Uint8Array, g: Rng): Uint8Array {
  const b = new Uint8Array(base)
  switch (g.int(5)) {
    case 0: {
      for (let n = 1 + g.int(8); n > 0 && b.length > 0; n--) {
        const i = g.int(b.length)
        b[i] = (b[i] ?? 0) ^ (1 << g.int(8))
      }
      return b
    }
    case 1:
      return b.slice(0, g.int(b.length + 1))
    case 2: {
      // Length/count corruption: overwrite an aligned word with a hostile count or length.
      if (b.length >= 4) new DataView(b.buffer).setUint32(g.int(b.length >> 2) << 2, g.pick(EVIL_WORDS), true)
      return b
    }
    case 3: {
      // bytes/string prefix corruption: a short length byte, or the 0xFE/0xFF markers.
      if (b.length > 0) b[g.int(b.length)] = g.pick([0xfe, 0xff, 0xfd, g.int(256)])
      return b
    }
    default: {
      const junk = g.bytes(g.int(64))
      const out = new Uint8Array(b.length + junk.length)
      out.set(b)
      out.set(junk, b.length)
      return out
    }
  }
}

function randomBuffer(g: Rng): Uint8Array {
  const b = g.bytes(g.int(200))
  // Half of them start with a real id so the fuzz reaches the generated decoders.
  if (b.length >= 4 && g.float() < 0.5) new DataView(b.buffer).setUint32(0, g.pick(TL_SCHEMA).id, true)
  return b
}

describe('seeded fuzz: malformed buffers only ever throw TlError', () => {
  it(`${ITERATIONS} random and mutated buffers`, () => {
    const g = rng(0x5eed)
    const seeds = corpus()
    const counts = { ok: 0, tlError: 0 }
    const foreign: string[] = []
    const reencode: string[] = []
    for (let i = 0; i < ITERATIONS; i++) {
      const buf = i % 4 === 0 ? randomBuffer(g) : mutate(g.pick(seeds), g)
      let obj: TlObject
      try {
        obj = deserializeObject(buf)
      } catch (e) {
        if (e instanceof TlError) counts.tlError++
        else foreign.push(`#${i}: ${String(e)}`)
        continue
      }
      counts.ok++
      // Whatever decodes is a valid value: it re-encodes, and that encoding is a fixed
      // point. (Not byte-equal to the input: long-form short lengths, invalid UTF-8
      // and unknown flag bits are accepted on read and normalised on write.)
      try {
        const again = serializeObject(obj)
        if (toHex(serializeObject(deserializeObject(again))) !== toHex(again)) reencode.push(`#${i}: not a fixed point`)
      } catch (e) {
        reencode.push(`#${i}: ${String(e)}`)
      }
    }
    expect(foreign).toEqual([])
    expect(reencode).toEqual([])
    expect(counts.ok + counts.tlError).toBe(ITERATIONS)
    // Both outcomes must be exercised for the fuzz to mean anything.
    expect(counts.ok).toBeGreaterThan(ITERATIONS / 20)
    expect(counts.tlError).toBeGreaterThan(ITERATIONS / 4)
  })
})
