/** The server RSA keys the client trusts (WorkerOptions.rsaPublicKeys), by fingerprint. */
import { parseRsaPublicKeyPem, rsaFingerprint, type RsaPublicKey } from '@pfs-web/crypto'

export interface RsaKey {
  key: RsaPublicKey
  /** Lower 64 bits of SHA1(rsa_public_key n e), as TL long (auth-key.md "RSA key fingerprint"). */
  fingerprint: bigint
}

export function loadRsaKeys(pems: readonly string[]): RsaKey[] {
  return pems.map((pem) => {
    const key = parseRsaPublicKeyPem(pem)
    return { key, fingerprint: rsaFingerprint(key) }
  })
}
