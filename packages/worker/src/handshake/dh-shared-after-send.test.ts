import { modPow, type CooperativeOptions } from '@pfs-web/crypto'
import { deserializeObject, serializeObject, type TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import sample from '../../test/vectors/auth-key-sample.json'
import { HandshakeError } from '../errors.ts'
import { Handshake, type HandshakeOutput } from './handshake.ts'
import { loadRsaKeys } from './rsa-keys.ts'
import { sampleRandom } from '../test-support/sample-random.ts'

const hex = (s: string): Uint8Array => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? [])
const toHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
const body = (s: string): TlObject => deserializeObject(hex(s))
const zero = (b: Uint8Array | undefined): boolean => b !== undefined && b.every((x) => x === 0)
const macrotask = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

function sent(out: HandshakeOutput): TlObject {
  if (!('send' in out)) throw new Error('expected a message to send')
  return out.send
}

/** A handshake that pauses its maths for a macrotask turn, as the worker does, counting the pauses. */
function counted(cooperative: Partial<CooperativeOptions> = {}) {
  let pauses = 0
  const yieldNow = (): Promise<void> => (pauses++, macrotask())
  const { random, given } = sampleRandom()
  const hs = new Handshake({
    mode: { kind: 'perm' },
    wireDcId: 2,
    rsaKeys: loadRsaKeys([sample.production_pem]),
    random,
    cooperative: { yieldNow, ...cooperative },
  })
  hs.start()
  return { hs, given, pauses: () => pauses }
}

describe('g_a^b is computed while set_client_DH_params is on the wire (issue #17, auth-key.md step 7)', () => {
  it('set_client_DH_params is handed over before the shared-key modexp starts, and the sample key comes out after dh_gen_ok', async () => {
    const shared: bigint[] = []
    const host = (base: bigint, e: bigint, m: bigint): bigint => {
      if (base > 7n) shared.push(base)
      return modPow(base, e, m)
    }
    const { hs } = counted({ modPow: host })
    sent(await hs.onMessage(body(sample.resPQ_body), 1000))
    const setParams = sent(await hs.onMessage(body(sample.server_DH_params_ok_body), 2000))
    expect(toHex(serializeObject(setParams))).toBe(sample.set_client_DH_params_body)
    // the message is ready with only g^b done; g_a^b waits for the macrotask after it
    expect(shared).toEqual([])
    const out = await hs.onMessage(body(sample.dh_gen_ok_body), 3000)
    if (!('done' in out)) throw new Error('expected dh_gen_ok to finish')
    expect(toHex(out.done.authKey)).toBe(sample.auth_key)
    // exactly one shared-key modexp, and its base was g_a (not a small g)
    expect(shared).toHaveLength(1)
  })

  it('a handshake wiped while g_a^b computes stops at the next pause and zeroes b', async () => {
    const { hs, given, pauses } = counted({ sliceMs: 0 })
    await hs.onMessage(body(sample.resPQ_body), 1000)
    await hs.onMessage(body(sample.server_DH_params_ok_body), 2000)
    // g_a^b waits at its first pause, a macrotask after the message was handed over
    const before = pauses()
    hs.wipe()
    for (let i = 0; i < 5; i++) await macrotask()
    // ~350 windows would follow if the maths ran on; it stops at its next pause
    expect(pauses() - before).toBeLessThanOrEqual(1)
    expect(zero(given.get(256))).toBe(true)
    // and no key comes out of a late dh_gen_ok
    await expect(hs.onMessage(body(sample.dh_gen_ok_body), 3000)).rejects.toBeInstanceOf(HandshakeError)
  })
})
