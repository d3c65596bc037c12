/**
 * Key families: hostile handshake answers (auth-key.md steps 2–9), authentically encrypted
 * and hashed where the server's secrets allow, and hostile answers to auth.bindTempAuthKey
 * (pfs-and-errors.md §2). A case starts the handshake it aims at: a rotation for a temp
 * key, a new engine for a perm key.
 */
import { gzipSync } from 'node:zlib'
import { nodeMtproto as kit } from '@pfs-web/server'
import { serializeObject, type TlObject, type TlOf } from '@pfs-web/tl'
import type { Prng } from '../prng.ts'
import type { HandshakeHooks, HandshakeSecrets, HandshakeStep } from '../server/hooks.ts'
import { flipBytes } from './damage.ts'
import { firstN, type Family } from './case-spec.ts'

type Answer = (a: TlObject, s: HandshakeSecrets) => TlObject | 'drop'

function resPq(rng: Prng): [string, Answer] {
  const choices: [string, Answer][] = [
    ['resPQ nonce changed', (a) => ({ ...(a as TlOf<'resPQ'>), nonce: rng.bytes(16) })],
    ['resPQ server_nonce changed', (a) => ({ ...(a as TlOf<'resPQ'>), server_nonce: rng.bytes(16) })],
    ['pq empty', (a) => ({ ...(a as TlOf<'resPQ'>), pq: new Uint8Array(0) })],
    ['pq = 1', (a) => ({ ...(a as TlOf<'resPQ'>), pq: Uint8Array.of(1) })],
    ['pq prime', (a) => ({ ...(a as TlOf<'resPQ'>), pq: kit.bigToBytes(2305843009213693951n) })],
    ['pq of 16 random bytes', (a) => ({ ...(a as TlOf<'resPQ'>), pq: rng.bytes(16) })],
    ['pq = product of two 40-bit primes', (a) => ({ ...(a as TlOf<'resPQ'>), pq: kit.bigToBytes(1099511627791n * 1099511627803n) })],
    ['no fingerprints', (a) => ({ ...(a as TlOf<'resPQ'>), server_public_key_fingerprints: [] })],
    ['unknown fingerprints ×1000', (a) => ({ ...(a as TlOf<'resPQ'>), server_public_key_fingerprints: Array.from({ length: 1000 }, () => rng.long()) })],
    ['wrong constructor for resPQ', (a) => ({ _: 'server_DH_params_ok', nonce: (a as TlOf<'resPQ'>).nonce, server_nonce: rng.bytes(16), encrypted_answer: rng.bytes(64) })],
    ['resPQ dropped', () => 'drop'],
  ]
  return rng.pick(choices)
}

function dhParams(rng: Prng): [string, Answer] {
  const ok = (a: TlObject): TlOf<'server_DH_params_ok'> => a as TlOf<'server_DH_params_ok'>
  const choices: [string, Answer][] = [
    ['server_DH_params_fail', (a) => ({ _: 'server_DH_params_fail', nonce: ok(a).nonce, server_nonce: ok(a).server_nonce, new_nonce_hash: rng.bytes(16) })],
    ['server_DH_params nonce changed', (a) => ({ ...ok(a), nonce: rng.bytes(16) })],
    ['encrypted_answer truncated', (a) => ({ ...ok(a), encrypted_answer: ok(a).encrypted_answer.subarray(0, 16 * rng.range(0, 20)) })],
    ['encrypted_answer not block aligned', (a) => ({ ...ok(a), encrypted_answer: ok(a).encrypted_answer.subarray(0, ok(a).encrypted_answer.length - rng.range(1, 15)) })],
    ['encrypted_answer bits flipped', (a) => ({ ...ok(a), encrypted_answer: flipBytes(ok(a).encrypted_answer, rng, rng.range(1, 3)) })],
    ['encrypted_answer of 256 KiB', (a) => ({ ...ok(a), encrypted_answer: rng.bytes(256 * 1024) })],
    ['server_DH_params dropped', () => 'drop'],
  ]
  return rng.pick(choices)
}

function inner(rng: Prng): [string, (i: TlOf<'server_DH_inner_data'>) => TlObject] {
  const g = rng.pick([0, 1, 2, 4, 5, 6, 7, 8, -1])
  const choices: [string, (i: TlOf<'server_DH_inner_data'>) => TlObject][] = [
    [`g = ${g}`, (i) => ({ ...i, g })],
    ['dh_prime random 2048-bit', (i) => ({ ...i, dh_prime: rng.bytes(256) })],
    ['dh_prime 1024-bit', (i) => ({ ...i, dh_prime: i.dh_prime.subarray(0, 128) })],
    ['dh_prime empty', (i) => ({ ...i, dh_prime: new Uint8Array(0) })],
    ['g_a = 1', (i) => ({ ...i, g_a: Uint8Array.of(1) })],
    ['g_a = p − 1', (i) => ({ ...i, g_a: kit.bigToBytes(kit.DH_PRIME - 1n) })],
    ['g_a small', (i) => ({ ...i, g_a: rng.bytes(8) })],
    ['g_a above p', (i) => ({ ...i, g_a: kit.bigToBytes(kit.DH_PRIME + 5n) })],
    ['server_time 0', (i) => ({ ...i, server_time: 0 })],
    ['server_time −1', (i) => ({ ...i, server_time: -1 })],
    ['server_time 2001', (i) => ({ ...i, server_time: 1_000_000_000 })],
    ['server_time 2^31 − 1', (i) => ({ ...i, server_time: 2 ** 31 - 1 })],
    ['server_time a year back', (i) => ({ ...i, server_time: i.server_time - 365 * 86_400 })],
    ['server_time 10 days ahead', (i) => ({ ...i, server_time: i.server_time + 10 * 86_400 })],
    ['inner nonce changed', (i) => ({ ...i, nonce: rng.bytes(16) })],
    ['inner is another constructor', (i) => ({ _: 'client_DH_inner_data', nonce: i.nonce, server_nonce: i.server_nonce, retry_id: 0n, g_b: i.g_a })],
  ]
  return rng.pick(choices)
}

function dhGen(rng: Prng): [string, Answer, number] {
  const head = (a: TlObject) => ({ nonce: (a as TlOf<'dh_gen_ok'>).nonce, server_nonce: (a as TlOf<'dh_gen_ok'>).server_nonce })
  const hash = (s: HandshakeSecrets, n: 1 | 2 | 3): Uint8Array => (s.newNonce && s.auxHash ? kit.newNonceHash(s.newNonce, n, s.auxHash) : new Uint8Array(16))
  const choices: [string, Answer, number][] = [
    ['dh_gen_ok with a wrong hash', (a) => ({ ...(a as TlOf<'dh_gen_ok'>), new_nonce_hash1: rng.bytes(16) }), 1],
    ['dh_gen_retry (authentic) once', (a, s) => ({ _: 'dh_gen_retry', ...head(a), new_nonce_hash2: hash(s, 2) }), 1],
    ['dh_gen_retry (authentic) forever', (a, s) => ({ _: 'dh_gen_retry', ...head(a), new_nonce_hash2: hash(s, 2) }), 12],
    ['dh_gen_fail (authentic)', (a, s) => ({ _: 'dh_gen_fail', ...head(a), new_nonce_hash3: hash(s, 3) }), 1],
    ['dh_gen_retry with a wrong hash', (a) => ({ _: 'dh_gen_retry', ...head(a), new_nonce_hash2: rng.bytes(16) }), 1],
    ['dh_gen_ok nonce changed', (a) => ({ ...(a as TlOf<'dh_gen_ok'>), nonce: rng.bytes(16) }), 1],
    ['dh_gen answer dropped', () => 'drop', 1],
    ['resPQ answers set_client_DH_params', (a) => ({ _: 'resPQ', ...head(a), pq: Uint8Array.of(21), server_public_key_fingerprints: [] }), 1],
  ]
  return rng.pick(choices)
}

export const handshake: Family = {
  name: 'handshake',
  weight: 4,
  make(rng) {
    const kind = rng.bool(0.7) ? 'temp' : 'perm'
    const step = rng.pick<HandshakeStep | 'inner' | 'packet'>(['res-pq', 'server-dh-params', 'inner', 'dh-gen', 'packet'])
    let what: string
    const hooks: HandshakeHooks = {}
    if (step === 'inner') {
      const [w, f] = inner(rng)
      what = w
      hooks.inner = firstN(1, f)
    } else if (step === 'packet') {
      const part = rng.pick(['auth_key_id non-zero', 'length field past the end', 'msg_id even', 'bytes flipped'] as const)
      what = `plain envelope: ${part}`
      hooks.packet = firstN(1, (b: Uint8Array) => {
        const out = b.slice()
        const v = new DataView(out.buffer)
        if (part === 'auth_key_id non-zero') v.setUint32(0, rng.u32() | 1, true)
        else if (part === 'length field past the end') v.setUint32(16, out.length, true)
        else if (part === 'msg_id even') v.setUint32(8, v.getUint32(8, true) & ~1, true)
        else return flipBytes(out, rng, rng.range(1, 4), 20)
        return out
      })
    } else {
      const [w, f, times] = step === 'res-pq' ? [...resPq(rng), 1] : step === 'server-dh-params' ? [...dhParams(rng), 1] : dhGen(rng)
      what = w
      hooks.answer = firstN(times, (s: HandshakeStep, a: TlObject, secrets: HandshakeSecrets) => (s === step ? f(a, secrets) : undefined))
    }
    return { family: this.name, what: `${kind}: ${what}`, action: kind === 'temp' ? 'rotate' : 'fresh-engine', hooks: { handshake: hooks, handshakeKind: kind } }
  },
}

export const bind: Family = {
  name: 'bind',
  weight: 3,
  make(rng) {
    const choices: [string, () => TlObject | 'drop', boolean?][] = [
      ['boolFalse', () => ({ _: 'boolFalse' })],
      ['ENCRYPTED_MESSAGE_INVALID', () => ({ _: 'rpc_error', error_code: 400, error_message: 'ENCRYPTED_MESSAGE_INVALID' }), true],
      ['TEMP_AUTH_KEY_EMPTY', () => ({ _: 'rpc_error', error_code: 400, error_message: 'TEMP_AUTH_KEY_EMPTY' })],
      ['TEMP_AUTH_KEY_ALREADY_BOUND', () => ({ _: 'rpc_error', error_code: 400, error_message: 'TEMP_AUTH_KEY_ALREADY_BOUND' })],
      ['AUTH_KEY_PERM_EMPTY', () => ({ _: 'rpc_error', error_code: 401, error_message: 'AUTH_KEY_PERM_EMPTY' })],
      ['AUTH_KEY_UNREGISTERED', () => ({ _: 'rpc_error', error_code: 401, error_message: 'AUTH_KEY_UNREGISTERED' }), true],
      ['random rpc_error', () => ({ _: 'rpc_error', error_code: rng.u32() | 0, error_message: String.fromCharCode(...rng.bytes(rng.range(0, 40))) })],
      ['gzip_packed boolTrue', () => ({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(serializeObject({ _: 'boolTrue' }))) })],
      ['config instead of Bool', () => kit.buildConfig(0, 2, false, [])],
      ['bind answer dropped', () => 'drop'],
    ]
    const [what, f, mayLogOut] = rng.pick(choices)
    const times = rng.bool(0.25) ? 2 : 1
    return {
      family: this.name,
      what: `${what}${times > 1 ? ' twice' : ''}`,
      action: 'rotate',
      mayLogOut: mayLogOut === true && times > 1,
      hooks: { bind: firstN(times, () => f()) },
    }
  },
}
