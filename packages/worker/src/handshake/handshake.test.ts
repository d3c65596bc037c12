import { aesIgeDecrypt, aesIgeEncrypt, sha1, tmpAesKeyIv, type CooperativeOptions } from '@pfs-web/crypto'
import { TlReader, decodeObject, deserializeObject, serializeObject, type TlObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import sample from '../../test/vectors/auth-key-sample.json'
import { Handshake, type HandshakeOutput } from './handshake.ts'
import { loadRsaKeys } from './rsa-keys.ts'
import { sampleRandom } from '../test-support/sample-random.ts'

const hex = (s: string): Uint8Array => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? [])
const toHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
const body = (s: string): TlObject => deserializeObject(hex(s))

function start(mode: 'perm' | 'temp' = 'perm', cooperative?: CooperativeOptions) {
  const { random, given } = sampleRandom()
  const hs = new Handshake({
    mode: mode === 'perm' ? { kind: 'perm' } : { kind: 'temp', expiresIn: 3600 },
    wireDcId: 2,
    rsaKeys: loadRsaKeys([sample.production_pem]),
    random,
    cooperative,
  })
  return { hs, given, first: hs.start() }
}

function sent(out: HandshakeOutput): TlObject {
  if (!('send' in out)) throw new Error('expected a message to send')
  return out.send
}

/** The official sample up to set_client_DH_params. */
async function toDhGen(mode: 'perm' | 'temp' = 'perm') {
  const s = start(mode)
  const reqDh = sent(await s.hs.onMessage(body(sample.resPQ_body), 1000))
  const setParams = sent(await s.hs.onMessage(body(sample.server_DH_params_ok_body), 2000))
  return { ...s, reqDh, setParams }
}

describe('Handshake state machine against the official sample (auth-key.md, test-vectors.md A)', () => {
  it('step 1: req_pq_multi carries the fresh nonce', () => {
    const { hs, first } = start()
    expect(first).toEqual({ _: 'req_pq_multi', nonce: hex(sample.nonce) })
    expect(hs.step).toBe('res-pq')
  })

  it('steps 2–5: factorises pq, picks the production key by fingerprint, RSA_PAD output of 256 bytes', async () => {
    const { reqDh } = await toDhGen()
    if (reqDh._ !== 'req_DH_params') throw new Error(reqDh._)
    expect(toHex(reqDh.p)).toBe('5a300d4b')
    expect(toHex(reqDh.q)).toBe('6a26db65')
    expect(BigInt.asUintN(64, reqDh.public_key_fingerprint)).toBe(0xd09d1d85de64fd85n)
    expect(reqDh.encrypted_data).toHaveLength(256)
  })

  it('steps 6–7: set_client_DH_params is byte-exact with the sample', async () => {
    const { setParams, hs } = await toDhGen()
    expect(toHex(serializeObject(setParams))).toBe(sample.set_client_DH_params_body)
    expect(hs.step).toBe('dh-gen-response')
  })

  it('steps 8–10: dh_gen_ok gives the sample auth_key, the initial salt and server_time; secrets are wiped', async () => {
    const { hs, given } = await toDhGen()
    const out = await hs.onMessage(body(sample.dh_gen_ok_body), 3000)
    if (!('done' in out)) throw new Error('not done')
    expect(toHex(out.done.authKey)).toBe(sample.auth_key)
    expect(out.done.serverSalt).toBe(new DataView(hex(sample.server_salt_le_hex).buffer).getBigInt64(0, true))
    expect(out.done.serverTime).toBe(sample.server_time)
    expect(out.done.serverTimeAt).toBe(2000)
    expect(hs.step).toBe('done')
    // STYLE secrets: new_nonce and b are zeroed in place once they are no longer needed.
    expect(given.get(32)?.every((x) => x === 0)).toBe(true)
    expect(given.get(256)?.every((x) => x === 0)).toBe(true)
  })

  it('step 9: dh_gen_retry → new b and retry_id = auth_key_aux_hash', async () => {
    const { hs } = await toDhGen()
    const retry = { _: 'dh_gen_retry', nonce: hex(sample.nonce), server_nonce: serverNonce(), new_nonce_hash2: hex('20d87dd307142b798b67a8dea2c22140') } as const
    const again = sent(await hs.onMessage(retry, 3000))
    if (again._ !== 'set_client_DH_params') throw new Error(again._)
    const { key, iv } = tmpAesKeyIv(hex(sample.new_nonce), serverNonce())
    const plain = await aesIgeDecrypt(key, iv, again.encrypted_data)
    const inner = decodeObject(new TlReader(plain, 20))
    if (inner._ !== 'client_DH_inner_data') throw new Error(inner._)
    expect(BigInt.asUintN(64, inner.retry_id)).toBe(0xd0a3f5a461c3b520n)
    expect(toHex(inner.g_b)).not.toBe(toHex(hex(sample.b)))
  })

  it.each([
    { rule: 'step 9: dh_gen_fail with a valid hash → restart', msg: () => ({ _: 'dh_gen_fail', nonce: hex(sample.nonce), server_nonce: serverNonce(), new_nonce_hash3: hex('141c6db2686ef8df4e08e685ccd31510') }), code: 'DH_GEN_FAIL' },
    { rule: 'step 9: dh_gen_ok with a wrong new_nonce_hash1', msg: () => ({ _: 'dh_gen_ok', nonce: hex(sample.nonce), server_nonce: serverNonce(), new_nonce_hash1: new Uint8Array(16) }), code: 'BAD_NEW_NONCE_HASH' },
    { rule: 'step 9: dh_gen_ok with a foreign nonce', msg: () => ({ _: 'dh_gen_ok', nonce: new Uint8Array(16), server_nonce: serverNonce(), new_nonce_hash1: new Uint8Array(16) }), code: 'NONCE_MISMATCH' },
  ] as const)('$rule', async ({ msg, code }) => {
    const { hs, given } = await toDhGen()
    await expect(hs.onMessage(msg() as TlObject, 3000)).rejects.toMatchObject({ code })
    expect(hs.step).toBe('failed')
    expect(given.get(32)?.every((x) => x === 0)).toBe(true)
  })

  it('step 1: resPQ with another nonce is refused', async () => {
    const { hs } = start()
    const res = body(sample.resPQ_body)
    if (res._ !== 'resPQ') throw new Error(res._)
    await expect(hs.onMessage({ ...res, nonce: new Uint8Array(16) }, 0)).rejects.toMatchObject({ code: 'NONCE_MISMATCH' })
  })

  it('step 1: no known fingerprint → NO_RSA_KEY', async () => {
    const { hs } = start()
    const res = body(sample.resPQ_body)
    if (res._ !== 'resPQ') throw new Error(res._)
    await expect(hs.onMessage({ ...res, server_public_key_fingerprints: [1n, 2n] }, 0)).rejects.toMatchObject({ code: 'NO_RSA_KEY' })
  })

  it('step 6.5: a corrupted encrypted_answer fails SHA1(answer)', async () => {
    const { hs } = start()
    await hs.onMessage(body(sample.resPQ_body), 0)
    const ok = body(sample.server_DH_params_ok_body)
    if (ok._ !== 'server_DH_params_ok') throw new Error(ok._)
    const bad = ok.encrypted_answer.slice()
    bad[bad.length - 12] = (bad[bad.length - 12] ?? 0) ^ 1
    await expect(hs.onMessage({ ...ok, encrypted_answer: bad }, 0)).rejects.toMatchObject({ code: 'BAD_ANSWER_HASH' })
  })

  it('step 6.2: encrypted_answer not a multiple of 16 is refused', async () => {
    const { hs } = start()
    await hs.onMessage(body(sample.resPQ_body), 0)
    const ok = body(sample.server_DH_params_ok_body)
    if (ok._ !== 'server_DH_params_ok') throw new Error(ok._)
    await expect(hs.onMessage({ ...ok, encrypted_answer: ok.encrypted_answer.subarray(0, 100) }, 0)).rejects.toMatchObject({ code: 'BAD_ANSWER_LENGTH' })
  })

  it.each([
    { rule: 'issue #18: server_time 0 (1970) is no good sync', serverTime: 0 },
    { rule: 'issue #18: server_time before 2013 is no good sync', serverTime: 1_356_998_399 },
    { rule: 'issue #18: server_time past 2036 is no good sync', serverTime: 2 ** 31 - 1 },
  ])('$rule → BAD_SERVER_TIME', async ({ serverTime }) => {
    const { hs } = start()
    await hs.onMessage(body(sample.resPQ_body), 0)
    const ok = body(sample.server_DH_params_ok_body)
    if (ok._ !== 'server_DH_params_ok') throw new Error(ok._)
    // the sample's inner data with another server_time, hashed and encrypted as a server would
    const { key, iv } = tmpAesKeyIv(hex(sample.new_nonce), serverNonce())
    const plain = await aesIgeDecrypt(key, iv, ok.encrypted_answer)
    const inner = decodeObject(new TlReader(plain, 20))
    if (inner._ !== 'server_DH_inner_data') throw new Error(inner._)
    const data = serializeObject({ ...inner, server_time: serverTime })
    const hashed = new Uint8Array(Math.ceil((20 + data.length) / 16) * 16)
    hashed.set(await sha1(data))
    hashed.set(data, 20)
    const answer = await aesIgeEncrypt(key, iv, hashed)
    await expect(hs.onMessage({ ...ok, encrypted_answer: answer }, 0)).rejects.toMatchObject({ code: 'BAD_SERVER_TIME' })
    expect(hs.step).toBe('failed')
  })

  it('a message out of order is refused', async () => {
    const { hs } = start()
    await expect(hs.onMessage(body(sample.dh_gen_ok_body), 0)).rejects.toMatchObject({ code: 'UNEXPECTED_MESSAGE' })
  })
})

describe('Handshake maths shares the thread (issue #6: a rotation never makes a call wait)', () => {
  /** Yields at every pause point (fake clock, 0 ms slices) and records which step was computing. */
  function everyPause(onYield: () => void = () => undefined) {
    const counts = { total: 0 }
    const options: CooperativeOptions = {
      sliceMs: 0,
      now: () => 0,
      yieldNow: () => {
        counts.total++
        onYield()
        return Promise.resolve()
      },
    }
    return { options, counts }
  }

  it('pq factorisation and both 2048-bit modexps yield, and the messages stay byte-exact', async () => {
    const { options, counts } = everyPause()
    const s = start('perm', options)
    await s.hs.onMessage(body(sample.resPQ_body), 1000)
    const afterPq = counts.total
    const setParams = sent(await s.hs.onMessage(body(sample.server_DH_params_ok_body), 2000))
    const afterGb = counts.total
    expect(afterPq).toBeGreaterThan(0)
    expect(toHex(serializeObject(setParams))).toBe(sample.set_client_DH_params_body)
    const done = await s.hs.onMessage(body(sample.dh_gen_ok_body), 3000)
    if (!('done' in done)) throw new Error('expected dh_gen_ok to finish')
    expect(toHex(done.done.authKey)).toBe(sample.auth_key)
    // g^b before set_client_DH_params, g_a^b after it: ~350 windows each for a 2048-bit exponent
    expect(afterGb - afterPq).toBeGreaterThan(300)
    expect(counts.total - afterGb).toBeGreaterThan(300)
  })

  it('a wipe() while the DH maths yields aborts the step, and b and new_nonce are zero', async () => {
    let hs: Handshake | null = null
    let wipedAt = -1
    const { options, counts } = everyPause(() => {
      if (hs && hs.step === 'server-dh-params' && wipedAt < 0 && counts.total > 400) {
        wipedAt = counts.total
        hs.wipe()
      }
    })
    const s = start('perm', options)
    hs = s.hs
    await s.hs.onMessage(body(sample.resPQ_body), 1000)
    await expect(s.hs.onMessage(body(sample.server_DH_params_ok_body), 2000)).rejects.toMatchObject({ code: 'ABORTED' })
    expect(wipedAt).toBeGreaterThan(0)
    expect(s.hs.step).toBe('failed')
    expect(s.given.get(256)?.every((x) => x === 0)).toBe(true)
    expect(s.given.get(32)?.every((x) => x === 0)).toBe(true)
  })
})

function serverNonce(): Uint8Array {
  const res = body(sample.resPQ_body)
  if (res._ !== 'resPQ') throw new Error(res._)
  return res.server_nonce
}
