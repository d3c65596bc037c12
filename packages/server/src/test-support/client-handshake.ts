import { deserializeObject, serializeObject, type TlObject, type TlOf } from '@pfs-web/tl'
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto'
import { igeDecrypt, igeEncrypt } from '../primitives/aes-ige.ts'
import { bigFromBytes, bigToBytes, xorBytes } from '../primitives/bytes.ts'
import { dhGenerate, dhSharedKey, dhValueInRange } from '../primitives/dh.ts'
import { sha1, sha256 } from '../primitives/hash.ts'
import { authKeyIds, handshakeAesKeyIv, newNonceHash } from '../primitives/kdf.ts'
import { rsaFingerprint } from '../primitives/rsa-key.ts'
import { openPlain, sealPlain } from '../session/envelope.ts'
import { transportErrorOf, type ClientTransport } from './client-transport.ts'

export interface ClientAuthKey {
  key: Buffer
  id: bigint
  salt: bigint
  /** server_time − local time, seconds. */
  timeOffset: number
  createdAt: number
  expiresIn: number
}

export interface HandshakeParams {
  rsaPem: string
  dc: number
  /** Present → temp key (p_q_inner_data_temp_dc). */
  expiresIn?: number
  /** Send the legacy p_q_inner_data / p_q_inner_data_temp, which carry no dc (GramJS's forms). */
  legacy?: boolean
}

/** Raised when the server answers a handshake step with a transport error. */
export class HandshakeRejected extends Error {
  constructor(readonly code: number) {
    super(`transport error ${code}`)
  }
}

/** A client-style msg_id for `offset` seconds from now, outside the session's sequence (tamper tests). */
export function msgIdAt(offset: number): bigint {
  return BigInt(Math.floor((Date.now() / 1000 + offset) * 2 ** 32)) & ~3n
}

let lastMsgId = 0n
/** The next increasing client msg_id (≡ 0 mod 4), shifted by the server time offset. */
export function clientMsgId(offset = 0): bigint {
  let id = BigInt(Math.floor((Date.now() / 1000 + offset) * 2 ** 32)) & ~3n
  if (id <= lastMsgId) id = lastMsgId + 4n
  lastMsgId = id
  return id
}

async function exchange(t: ClientTransport, body: TlObject): Promise<TlObject> {
  t.send(sealPlain(clientMsgId(), serializeObject(body)))
  const payload = await t.receive()
  if (payload === null) throw new HandshakeRejected(0)
  const err = transportErrorOf(payload)
  if (err !== null) throw new HandshakeRejected(err)
  return deserializeObject(openPlain(payload).body)
}

/** A spec-following client handshake (auth-key.md steps 1–10), test-only. */
export async function clientHandshake(t: ClientTransport, params: HandshakeParams): Promise<ClientAuthKey> {
  const pub = createPublicKey(params.rsaPem)
  const jwk = pub.export({ format: 'jwk' })
  const n = Buffer.from(jwk.n!, 'base64url')
  const fingerprint = rsaFingerprint(n, Buffer.from(jwk.e!, 'base64url'))
  const nonce = randomBytes(16)
  const resPq = await exchange(t, { _: 'req_pq_multi', nonce })
  if (resPq._ !== 'resPQ' || !nonce.equals(resPq.nonce)) throw new Error('bad resPQ')
  if (!resPq.server_public_key_fingerprints.includes(fingerprint)) throw new Error('no known fingerprint')
  const serverNonce = Buffer.from(resPq.server_nonce)
  const pq = bigFromBytes(resPq.pq)
  const p = factor(pq)
  const q = pq / p
  const newNonce = randomBytes(32)
  const common = { pq: resPq.pq, p: bigToBytes(p), q: bigToBytes(q), nonce, server_nonce: serverNonce, new_nonce: newNonce }
  const inner = innerData(common, params)
  const dhParams = await exchange(t, {
    _: 'req_DH_params',
    nonce,
    server_nonce: serverNonce,
    p: bigToBytes(p),
    q: bigToBytes(q),
    public_key_fingerprint: fingerprint,
    encrypted_data: rsaPad(Buffer.from(serializeObject(inner)), n, pub),
  })
  if (dhParams._ !== 'server_DH_params_ok') throw new Error('bad server_DH_params')
  const aes = handshakeAesKeyIv(newNonce, serverNonce)
  const answer = igeDecrypt(dhParams.encrypted_answer, aes.key, aes.iv)
  const innerLen = answer.length - 20 - findPadding(answer)
  const serverInner = deserializeObject(answer.subarray(20, 20 + innerLen))
  if (serverInner._ !== 'server_DH_inner_data' || !sha1(answer.subarray(20, 20 + innerLen)).equals(answer.subarray(0, 20))) {
    throw new Error('bad server_DH_inner_data')
  }
  const prime = bigFromBytes(serverInner.dh_prime)
  const gA = bigFromBytes(serverInner.g_a)
  if (!dhValueInRange(gA, prime)) throw new Error('g_a out of range')
  const timeOffset = serverInner.server_time - Date.now() / 1000
  let retryId = 0n
  for (let attempt = 0; attempt < 5; attempt++) {
    const b = dhGenerate(randomBytes, serverInner.g, prime)
    const data = serializeObject({ _: 'client_DH_inner_data', nonce, server_nonce: serverNonce, retry_id: retryId, g_b: bigToBytes(b.publicValue) })
    const withHash = Buffer.concat([sha1(data), data])
    const padded = Buffer.concat([withHash, randomBytes((16 - (withHash.length % 16)) % 16)])
    const result = await exchange(t, { _: 'set_client_DH_params', nonce, server_nonce: serverNonce, encrypted_data: igeEncrypt(padded, aes.key, aes.iv) })
    const key = dhSharedKey(gA, b.exponent, prime, serverInner.g)
    const { id, auxHash } = authKeyIds(key)
    if (result._ === 'dh_gen_ok') {
      if (!newNonceHash(newNonce, 1, auxHash).equals(result.new_nonce_hash1)) throw new Error('bad new_nonce_hash1')
      const salt = xorBytes(newNonce.subarray(0, 8), serverNonce.subarray(0, 8)).readBigInt64LE(0)
      return { key, id, salt, timeOffset, createdAt: Date.now() / 1000 + timeOffset, expiresIn: params.expiresIn ?? 0 }
    }
    if (result._ === 'dh_gen_retry') {
      if (!newNonceHash(newNonce, 2, auxHash).equals(result.new_nonce_hash2)) throw new Error('bad new_nonce_hash2')
      retryId = auxHash.readBigInt64LE(0)
      continue
    }
    throw new Error(`handshake ended with ${result._}`)
  }
  throw new Error('too many dh_gen_retry')
}

/** The answer's padding is whatever follows the TL object; find it by re-serializing. */
function findPadding(answer: Buffer): number {
  for (let pad = 0; pad < 16; pad++) {
    try {
      const obj = deserializeObject(answer.subarray(20, answer.length - pad))
      if (obj._ === 'server_DH_inner_data') return pad
    } catch {
      // a wrong guess leaves trailing bytes or a cut field; try the next padding length
    }
  }
  throw new Error('server_DH_inner_data not found')
}

/** RSA_PAD (auth-key.md step 4). */
function rsaPad(data: Buffer, n: Buffer, pub: ReturnType<typeof createPublicKey>): Buffer {
  const modulus = bigFromBytes(n)
  const withPadding = Buffer.concat([data, randomBytes(192 - data.length)])
  const reversed = Buffer.from(withPadding).reverse()
  for (;;) {
    const tempKey = randomBytes(32)
    const withHash = Buffer.concat([reversed, sha256(tempKey, withPadding)])
    const aesEncrypted = igeEncrypt(withHash, tempKey, Buffer.alloc(32))
    const keyAes = Buffer.concat([xorBytes(tempKey, sha256(aesEncrypted)), aesEncrypted])
    if (bigFromBytes(keyAes) >= modulus) continue
    return publicEncrypt({ key: pub, padding: constants.RSA_NO_PADDING }, keyAes)
  }
}

/** Pollard–Brent with batched gcds, enough for the 62-bit pq this server issues. */
function factor(n: bigint): bigint {
  if (n % 2n === 0n) return 2n
  for (let c = 1n; ; c++) {
    let y = 2n
    let x = y
    let ys = y
    let g = 1n
    let q = 1n
    for (let r = 1; g === 1n; r *= 2) {
      x = y
      for (let i = 0; i < r; i++) y = (y * y + c) % n
      for (let k = 0; k < r && g === 1n; k += 128) {
        ys = y
        for (let i = 0; i < Math.min(128, r - k); i++) {
          y = (y * y + c) % n
          q = (q * (x > y ? x - y : y - x)) % n
        }
        g = gcd(q, n)
      }
    }
    if (g === n) {
      do {
        ys = (ys * ys + c) % n
        g = gcd(x > ys ? x - ys : ys - x, n)
      } while (g === 1n)
    }
    if (g !== n) return g < n / g ? g : n / g
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

type InnerCommon = Omit<TlOf<'p_q_inner_data'>, '_'>

function innerData(common: InnerCommon, params: HandshakeParams): TlObject {
  const { expiresIn, dc } = params
  if (params.legacy === true) {
    return expiresIn === undefined ? { _: 'p_q_inner_data', ...common } : { _: 'p_q_inner_data_temp', ...common, expires_in: expiresIn }
  }
  return expiresIn === undefined
    ? { _: 'p_q_inner_data_dc', ...common, dc }
    : { _: 'p_q_inner_data_temp_dc', ...common, dc, expires_in: expiresIn }
}
