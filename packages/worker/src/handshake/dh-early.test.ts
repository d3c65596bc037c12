import { bigIntToBytes, KNOWN_DH_PRIME, type CooperativeOptions } from '@pfs-web/crypto'
import { deserializeObject, serializeObject, type TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import sample from '../../test/vectors/auth-key-sample.json'
import type { DhGroup, DhPair, DhPairSource } from './dh-pairs.ts'
import { Handshake, type HandshakeOutput } from './handshake.ts'
import { loadRsaKeys } from './rsa-keys.ts'
import { sampleRandom } from '../test-support/sample-random.ts'

const hex = (s: string): Uint8Array => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? [])
const toHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
const body = (s: string): TlObject => deserializeObject(hex(s))
const zero = (b: Uint8Array | undefined): boolean => b !== undefined && b.every((x) => x === 0)
const WELL_KNOWN = bigIntToBytes(KNOWN_DH_PRIME, 256)

/** A source with no pair ready, guessing `likely`; records what the handshake took. */
function guessing(likely: DhGroup): DhPairSource & { takes: (DhPair | null)[] } {
  const takes: (DhPair | null)[] = []
  return {
    takes,
    take: () => {
      takes.push(null)
      return null
    },
    likelyGroup: () => likely,
  }
}

function start(dhPairs: DhPairSource, cooperative?: CooperativeOptions) {
  const { random, bs } = sampleRandom()
  const hs = new Handshake({ mode: { kind: 'perm' }, wireDcId: 2, rsaKeys: loadRsaKeys([sample.production_pem]), random, cooperative, dhPairs })
  hs.start()
  return { hs, bs }
}

function sent(out: HandshakeOutput): TlObject {
  if (!('send' in out)) throw new Error('expected a message to send')
  return out.send
}

const macrotask = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

/**
 * The handshake's early DH pair (Handshake #speculate): b and g^b computed while req_pq and
 * req_DH_params are in flight, for the group the pair source expects.
 */
describe('DH off the critical path on a first connect (issue #17, auth-key.md step 7)', () => {
  it('b and g^b for the likely group are made while req_pq is in flight, then used: set_client_DH_params is byte-exact with the sample', async () => {
    const source = guessing({ g: 3, dhPrime: WELL_KNOWN })
    const { hs, bs } = start(source)
    await macrotask()
    // before resPQ arrives, b is drawn
    expect(bs.map(toHex)).toEqual([sample.b])
    await hs.onMessage(body(sample.resPQ_body), 1000)
    const setParams = sent(await hs.onMessage(body(sample.server_DH_params_ok_body), 2000))
    expect(toHex(serializeObject(setParams))).toBe(sample.set_client_DH_params_body)
    expect(source.takes).toEqual([null])
    const done = await hs.onMessage(body(sample.dh_gen_ok_body), 3000)
    if (!('done' in done)) throw new Error('expected dh_gen_ok to finish')
    expect(toHex(done.done.authKey)).toBe(sample.auth_key)
    // used once: no second b was drawn, and the one used is zero
    expect(bs).toHaveLength(1)
    expect(zero(bs[0])).toBe(true)
  })

  it('another group offered by the server: the early b is zeroed and a fresh b is drawn', async () => {
    const { hs, bs } = start(guessing({ g: 7, dhPrime: WELL_KNOWN }))
    await hs.onMessage(body(sample.resPQ_body), 1000)
    const setParams = sent(await hs.onMessage(body(sample.server_DH_params_ok_body), 2000))
    await expect.poll(() => zero(bs[0]), { timeout: 5_000 }).toBe(true)
    expect(bs).toHaveLength(2)
    expect(toHex(serializeObject(setParams))).not.toBe(sample.set_client_DH_params_body)
  })

  it('a pair made ahead goes first: the early one is dropped, its maths stopped, its b zeroed', async () => {
    const ahead: DhPair = { b: hex(sample.b), gB: new Uint8Array(256) }
    const { hs, bs } = start({ take: () => ahead, likelyGroup: () => ({ g: 3, dhPrime: WELL_KNOWN }) })
    await hs.onMessage(body(sample.resPQ_body), 1000)
    await hs.onMessage(body(sample.server_DH_params_ok_body), 2000)
    // the maths stops at its next pause, whose turn comes when the event loop gives it one
    await expect.poll(() => zero(bs[0]), { timeout: 5_000 }).toBe(true)
    expect(bs).toHaveLength(1)
    await hs.onMessage(body(sample.dh_gen_ok_body), 3000)
    expect(zero(ahead.b)).toBe(true)
    expect(zero(bs[0])).toBe(true)
  })

  it('a handshake wiped after its early pair is made (never used) zeroes that b', async () => {
    // one slice: the pair is done within the second macrotask
    const { hs, bs } = start(guessing({ g: 3, dhPrime: WELL_KNOWN }), { sliceMs: 1e9 })
    for (let i = 0; i < 3; i++) await macrotask()
    expect(bs).toHaveLength(1)
    expect(zero(bs[0])).toBe(false)
    hs.wipe()
    await expect.poll(() => zero(bs[0]), { timeout: 5_000 }).toBe(true)
  })

  it('a handshake that fails before its DH step stops the early maths and zeroes b', async () => {
    let pauses = 0
    const cooperative: CooperativeOptions = { sliceMs: 0, now: () => 0, yieldNow: () => (pauses++, macrotask()) }
    const { hs, bs } = start(guessing({ g: 3, dhPrime: WELL_KNOWN }), cooperative)
    await macrotask()
    await macrotask()
    const res = body(sample.resPQ_body)
    if (res._ !== 'resPQ') throw new Error(res._)
    await expect(hs.onMessage({ ...res, nonce: new Uint8Array(16) }, 1000)).rejects.toMatchObject({ code: 'NONCE_MISMATCH' })
    const atFailure = pauses
    for (let i = 0; i < 5; i++) await macrotask()
    // ~350 windows would follow if the maths ran on; it stops at its next pause
    expect(pauses - atFailure).toBeLessThanOrEqual(1)
    expect(bs).toHaveLength(1)
    expect(zero(bs[0])).toBe(true)
  })
})
