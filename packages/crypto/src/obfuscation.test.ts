import { describe, expect, it } from 'vitest'
import { seededRandom } from '../test/seeded-random.ts'
import { createCtrStream } from './aes-ctr.ts'
import { generateObfuscationInit, obfuscationKeys, startObfuscation } from './obfuscation.ts'
import { ctrProcess } from './test-support/ctr.ts'
import { toHex } from './test-support/hex.ts'

const TAG = Uint8Array.of(0xee, 0xee, 0xee, 0xee)

/** A random source that yields `bad` first and then good bytes from a seeded stream. */
function scripted(bad: Uint8Array[]): { random: (n: number) => Uint8Array; calls: () => number } {
  const rnd = seededRandom(9)
  let calls = 0
  return {
    random: (n) => {
      calls++
      const next = bad.shift()
      if (next) return next
      const r = rnd(n)
      r[0] = 0x11
      r[4] = 0x22
      return r
    },
    calls: () => calls,
  }
}

function startingWith(...prefix: number[]): Uint8Array {
  const b = new Uint8Array(64).fill(0x5a)
  b.set(prefix)
  return b
}

describe('generateObfuscationInit (transports.md §3 client step 1–3)', () => {
  it.each([
    { rule: 'init[0] == 0xef (abridged tag)', bad: startingWith(0xef) },
    { rule: 'HEAD', bad: startingWith(0x48, 0x45, 0x41, 0x44) },
    { rule: 'POST', bad: startingWith(0x50, 0x4f, 0x53, 0x54) },
    { rule: 'GET ', bad: startingWith(0x47, 0x45, 0x54, 0x20) },
    { rule: 'OPTI', bad: startingWith(0x4f, 0x50, 0x54, 0x49) },
    { rule: 'TLS record start 16 03 01 02', bad: startingWith(0x16, 0x03, 0x01, 0x02) },
    { rule: 'dd dd dd dd', bad: startingWith(0xdd, 0xdd, 0xdd, 0xdd) },
    { rule: 'ee ee ee ee', bad: startingWith(0xee, 0xee, 0xee, 0xee) },
    { rule: 'init[4:8] all zero', bad: startingWith(1, 2, 3, 4, 0, 0, 0, 0) },
  ])('regenerates when $rule', ({ bad }) => {
    const src = scripted([bad])
    const init = generateObfuscationInit(src.random, TAG, 2)
    expect(src.calls()).toBe(2)
    expect(init.subarray(0, 8)).not.toEqual(bad.subarray(0, 8))
  })

  it('writes the tag at 56 and the DC id as int16 LE at 60 (media DC 4 → fc ff)', () => {
    const init = generateObfuscationInit(scripted([]).random, TAG, -4)
    expect(toHex(init.subarray(56, 62))).toBe('EEEEEEEEFCFF')
    expect(toHex(generateObfuscationInit(scripted([]).random, TAG, 10002).subarray(60, 62))).toBe('1227')
  })

  it('rejects a bad tag, DC id or random source', () => {
    expect(() => generateObfuscationInit(scripted([]).random, new Uint8Array(3), 2)).toThrow(expect.objectContaining({ code: 'BAD_LENGTH' }))
    expect(() => generateObfuscationInit(scripted([]).random, TAG, 40000)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
    expect(() => generateObfuscationInit(() => startingWith(0xef), TAG, 2)).toThrow(expect.objectContaining({ code: 'RANDOM_FAILURE' }))
  })
})

describe('obfuscation keys and streams', () => {
  it('dec key/iv are the reversed init (step 4) and the server side reads the client header', async () => {
    const init = generateObfuscationInit(seededRandom(3), TAG, 2)
    const k = obfuscationKeys(init)
    const rev = init.slice().reverse()
    expect(k.encKey).toEqual(init.subarray(8, 40))
    expect(k.encIv).toEqual(init.subarray(40, 56))
    expect(k.decKey).toEqual(rev.subarray(8, 40))
    expect(k.decIv).toEqual(rev.subarray(40, 56))
    const start = await startObfuscation(init)
    expect(start.header.subarray(0, 56)).toEqual(init.subarray(0, 56))
    // a server (gotd Accept) derives the same keys from the clear bytes and decrypts 0..64
    const server = obfuscationKeys(start.header)
    const serverIn = createCtrStream(server.encKey, server.encIv)
    expect((await ctrProcess(serverIn, start.header)).subarray(56, 62)).toEqual(init.subarray(56, 62))
    const msg = seededRandom(4)(33)
    expect(await ctrProcess(serverIn, await ctrProcess(start.encryptor, msg))).toEqual(msg)
    const serverOut = createCtrStream(server.decKey, server.decIv)
    expect(await ctrProcess(start.decryptor, await ctrProcess(serverOut, msg))).toEqual(msg)
  })

  it('rejects bad key, iv and secret lengths', () => {
    expect(() => createCtrStream(new Uint8Array(16), new Uint8Array(16))).toThrow(expect.objectContaining({ code: 'BAD_KEY_LENGTH' }))
    expect(() => createCtrStream(new Uint8Array(32), new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'BAD_IV_LENGTH' }))
    expect(() => obfuscationKeys(new Uint8Array(64), new Uint8Array(17))).toThrow(expect.objectContaining({ code: 'BAD_LENGTH' }))
  })
})
