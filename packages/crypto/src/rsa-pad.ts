import { aesIgeEncrypt } from './aes-ige.ts'
import { forgetAesKey } from './aes-key-cache.ts'
import { bigIntToBytes, bytesToBigInt } from './bigint.ts'
import { concatBytes, wipe } from './bytes.ts'
import { CryptoError } from './errors.ts'
import { modPow } from './modpow.ts'
import type { RsaPublicKey } from './rsa-key.ts'
import { sha256Sync } from './sha-sync.ts'

const MAX_DATA = 144
const PADDED = 192
const RSA_BYTES = 256
const ZERO_IV = new Uint8Array(32)
// Each draw is ≥ n with probability < 1/2 for a 2048-bit n, so 64 failures in a row
// means a broken random source, not bad luck.
const MAX_ATTEMPTS = 64

/**
 * MTProto 2.0 RSA_PAD (auth-key.md step 4): encrypted_data for req_DH_params, exactly
 * 256 big-endian bytes. `data` is the boxed p_q_inner_data (≤ 144 bytes); `random`
 * supplies the padding and each temp_key. Our copies of data, padding and temp_key are
 * wiped; the BigInts holding x cannot be (see README, Security).
 */
export async function rsaPadEncrypt(
  data: Uint8Array,
  publicKey: RsaPublicKey,
  random: (n: number) => Uint8Array,
): Promise<Uint8Array> {
  if (!(data instanceof Uint8Array) || data.length > MAX_DATA) {
    throw new CryptoError('BAD_LENGTH', `data: expected at most ${MAX_DATA} bytes`)
  }
  const n = bytesToBigInt(publicKey.n)
  if (n >> 2047n !== 1n) throw new CryptoError('BAD_RSA_KEY', 'publicKey.n: expected a 2048-bit modulus')
  const e = bytesToBigInt(publicKey.e)

  const dataWithPadding = concatBytes(data, random(PADDED - data.length))
  const reversed = dataWithPadding.slice().reverse()
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const keyAesEncrypted = await padOnce(dataWithPadding, reversed, random(32))
      const x = bytesToBigInt(keyAesEncrypted)
      wipe(keyAesEncrypted)
      // Step 4.8: x must be < n or the server's x^d mod n would not give it back.
      if (x >= n) continue
      return bigIntToBytes(modPow(x, e, n), RSA_BYTES)
    }
  } finally {
    wipe(dataWithPadding, reversed)
  }
  throw new CryptoError('RSA_PAD_RETRIES', `no temp_key gave x < n in ${MAX_ATTEMPTS} draws`)
}

/** Steps 4.3–4.7 for one temp_key: temp_key_xor + AES-IGE(reversed + SHA256(temp_key + data)). */
async function padOnce(dataWithPadding: Uint8Array, reversed: Uint8Array, tempKey: Uint8Array): Promise<Uint8Array> {
  const keyed = concatBytes(tempKey, dataWithPadding)
  const dataWithHash = concatBytes(reversed, sha256Sync(keyed))
  try {
    const aesEncrypted = await aesIgeEncrypt(tempKey, ZERO_IV, dataWithHash)
    const mask = sha256Sync(aesEncrypted)
    const out = concatBytes(tempKey, aesEncrypted)
    for (let i = 0; i < 32; i++) out[i] = (out[i] as number) ^ (mask[i] as number)
    return out
  } finally {
    forgetAesKey(tempKey)
    wipe(keyed, dataWithHash, tempKey)
  }
}
