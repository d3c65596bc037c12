/** The server RSA keys the client trusts (WorkerOptions.rsaPublicKeys), by fingerprint. */
import { parseRsaPublicKeyPem, rsaFingerprint, type RsaPublicKey } from '@pfs-web/crypto'

export interface RsaKey {
  key: RsaPublicKey
  /**
   * Lower 64 bits of SHA1(rsa_public_key n e) as a signed TL long, the form resPQ carries
   * (auth-key.md "RSA key fingerprint"); crypto returns it unsigned.
   */
  fingerprint: bigint
}

export function loadRsaKeys(pems: readonly string[]): RsaKey[] {
  return pems.map((pem) => {
    const key = parseRsaPublicKeyPem(pem)
    return { key, fingerprint: BigInt.asIntN(64, rsaFingerprint(key)) }
  })
}
