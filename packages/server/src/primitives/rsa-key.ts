import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  type KeyObject,
} from 'node:crypto'
import { encodeBare, TlWriter } from '@pfs-web/tl'
import { ProtocolCheckError } from '../errors.ts'
import { igeDecrypt } from './aes-ige.ts'
import { bigFromBytes, xorBytes } from './bytes.ts'
import { sha1, sha256 } from './hash.ts'

export interface ServerRsaKey {
  privateKey: KeyObject
  /** PKCS#1 PEM ("BEGIN RSA PUBLIC KEY"), the form mtcute and TDLib take. */
  publicPem: string
  modulus: bigint
  /** TL long of SHA1(rsa_public_key n e)[12:20] (auth-key.md "RSA key fingerprint"). */
  fingerprint: bigint
}

export function generateRsaPrivatePem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 })
  return privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
}

export function loadRsaKey(privatePem: string): ServerRsaKey {
  const privateKey = createPrivateKey(privatePem)
  const publicKey = createPublicKey(privateKey)
  const jwk = publicKey.export({ format: 'jwk' })
  if (jwk.n === undefined || jwk.e === undefined) throw new TypeError('rsa: not an RSA key')
  const n = Buffer.from(jwk.n, 'base64url')
  const e = Buffer.from(jwk.e, 'base64url')
  return {
    privateKey,
    publicPem: publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    modulus: bigFromBytes(n),
    fingerprint: rsaFingerprint(n, e),
  }
}

/** Fingerprint over the bare TL `rsa_public_key n:bytes e:bytes`. */
export function rsaFingerprint(n: Uint8Array, e: Uint8Array): bigint {
  const w = new TlWriter()
  encodeBare(w, 'rsa_public_key', { n: stripZeros(n), e: stripZeros(e) })
  return sha1(w.finish()).readBigInt64LE(12)
}

/** Raw RSA (x^d mod n), 256 bytes out; the caller has checked x < n. */
export function rsaDecryptRaw(key: ServerRsaKey, data: Uint8Array): Buffer {
  return privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, data)
}

/** Undoes RSA_PAD (auth-key.md step 5.4–5.5): the 192 bytes of data with their padding. */
export function rsaPadDecrypt(key: ServerRsaKey, encrypted: Uint8Array): Buffer {
  if (encrypted.length !== 256) throw new ProtocolCheckError('RSA_LENGTH')
  if (bigFromBytes(encrypted) >= key.modulus) throw new ProtocolCheckError('RSA_TOO_LARGE')
  const x = rsaDecryptRaw(key, encrypted)
  const aesEncrypted = x.subarray(32, 256)
  const tempKey = xorBytes(x.subarray(0, 32), sha256(aesEncrypted))
  const dataWithHash = igeDecrypt(aesEncrypted, tempKey, Buffer.alloc(32))
  const dataWithPadding = Buffer.from(dataWithHash.subarray(0, 192)).reverse()
  if (!sha256(tempKey, dataWithPadding).equals(dataWithHash.subarray(192, 224))) throw new ProtocolCheckError('RSA_HASH_MISMATCH')
  return dataWithPadding
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length - 1 && b[i] === 0) i++
  return b.subarray(i)
}
