import { TlWriter, encodeBare } from '@pfs-web/tl/client'
import { DER_BIT_STRING, DER_INTEGER, DER_NULL, DER_OID, DER_SEQUENCE, positiveInteger, readDer, readOnlyDer } from './der.ts'
import { CryptoError } from './errors.ts'
import { sha1Sync } from './sha-sync.ts'

/**
 * A server RSA public key. `n` and `e` are minimal big-endian; `fingerprint` is the
 * unsigned 64-bit value (auth-key.md "RSA key fingerprint"). TL `long` is signed: write
 * it with BigInt.asIntN(64, fingerprint).
 */
export interface RsaPublicKey {
  n: Uint8Array
  e: Uint8Array
  fingerprint: bigint
}

// 1.2.840.113549.1.1.1 (rsaEncryption), the only algorithm an SPKI key may name here.
const RSA_ENCRYPTION_OID = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01)
const PEM_RE = /^\s*-----BEGIN (RSA PUBLIC KEY|PUBLIC KEY)-----([A-Za-z0-9+/=\s]*)-----END \1-----\s*$/
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * PKCS#1 `BEGIN RSA PUBLIC KEY` (the form Telegram publishes) or SPKI `BEGIN PUBLIC KEY`
 * → n, e and fingerprint. One key per string; anything malformed is CryptoError
 * 'BAD_PEM'.
 */
export function parseRsaPublicKeyPem(pem: string): RsaPublicKey {
  const match = PEM_RE.exec(pem)
  if (!match) throw new CryptoError('BAD_PEM', 'expected one BEGIN/END RSA PUBLIC KEY or PUBLIC KEY block')
  const body = (match[2] as string).replace(/\s+/g, '')
  if (!BASE64_RE.test(body)) throw new CryptoError('BAD_PEM', 'PEM body is not base64')
  const der = Uint8Array.from(atob(body), (c) => c.charCodeAt(0))
  const pkcs1 = match[1] === 'PUBLIC KEY' ? unwrapSpki(der) : der
  const { n, e } = readPkcs1(pkcs1)
  return { n, e, fingerprint: rsaFingerprint({ n, e }) }
}

/**
 * Lower 64 bits of SHA1 of the bare TL `rsa_public_key n:bytes e:bytes`: bytes 12..20 of
 * the digest read little-endian, as an unsigned bigint.
 */
export function rsaFingerprint(key: { n: Uint8Array; e: Uint8Array }): bigint {
  const w = new TlWriter(300)
  encodeBare(w, 'rsa_public_key', { n: key.n, e: key.e })
  const digest = sha1Sync(w.finish())
  let fp = 0n
  for (let i = 19; i >= 12; i--) fp = (fp << 8n) | BigInt(digest[i] as number)
  return fp
}

/**
 * The first of our keys whose fingerprint the server listed in resPQ (auth-key.md
 * step 1). Server values may be signed TL longs; both sides compare as unsigned.
 * Throws CryptoError 'NO_MATCHING_RSA_KEY' so the handshake aborts.
 */
export function selectRsaKey(keys: readonly RsaPublicKey[], serverFingerprints: readonly bigint[]): RsaPublicKey {
  const offered = new Set(serverFingerprints.map((f) => BigInt.asUintN(64, f)))
  const key = keys.find((k) => offered.has(BigInt.asUintN(64, k.fingerprint)))
  if (!key) throw new CryptoError('NO_MATCHING_RSA_KEY', 'the server offered no fingerprint of a known RSA key')
  return key
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
function readPkcs1(der: Uint8Array): { n: Uint8Array; e: Uint8Array } {
  const seq = readOnlyDer(der, DER_SEQUENCE)
  const n = readDer(seq, 0, DER_INTEGER)
  const e = readDer(seq, n.end, DER_INTEGER)
  if (e.end !== seq.length) throw new CryptoError('BAD_PEM', 'RSAPublicKey has extra fields')
  return { n: positiveInteger(n.content), e: positiveInteger(e.content) }
}

/** SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING } */
function unwrapSpki(der: Uint8Array): Uint8Array {
  const seq = readOnlyDer(der, DER_SEQUENCE)
  const algorithm = readDer(seq, 0, DER_SEQUENCE)
  const oid = readDer(algorithm.content, 0, DER_OID)
  if (!sameBytes(oid.content, RSA_ENCRYPTION_OID)) throw new CryptoError('BAD_PEM', 'SPKI key is not rsaEncryption')
  if (oid.end !== algorithm.content.length) {
    const params = readDer(algorithm.content, oid.end, DER_NULL)
    if (params.content.length !== 0 || params.end !== algorithm.content.length) {
      throw new CryptoError('BAD_PEM', 'rsaEncryption parameters must be NULL')
    }
  }
  const bits = readDer(seq, algorithm.end, DER_BIT_STRING)
  if (bits.end !== seq.length) throw new CryptoError('BAD_PEM', 'SubjectPublicKeyInfo has extra fields')
  if (bits.content[0] !== 0) throw new CryptoError('BAD_PEM', 'BIT STRING must have 0 unused bits')
  return bits.content.subarray(1)
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
