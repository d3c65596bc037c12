import { describe, expect, it } from 'vitest'
import vectors from '../test/vectors/auth-key-sample.json'
import { authKeyAuxHash, initialServerSalt, newNonceHash, tmpAesKeyIv } from './handshake-kdf.ts'
import { authKeyId, authKeyIdBigInt, msgKeyFor, mtproto1Kdf, mtproto2Kdf } from './mtproto-kdf.ts'
import { prepareAuthKey } from './prepared-auth-key.ts'
import { hex, toHex } from './test-support/hex.ts'

const authKey = hex(vectors.authKey)
const newNonce = hex(vectors.newNonce)
const serverNonce = hex(vectors.serverNonce)

describe('handshake KDF (test-vectors.md §A6, §A10)', () => {
  it('tmp_aes_key / tmp_aes_iv from new_nonce and server_nonce', () => {
    const { key, iv } = tmpAesKeyIv(newNonce, serverNonce)
    expect(toHex(key)).toBe(vectors.tmpAesKey)
    expect(toHex(iv)).toBe(vectors.tmpAesIv)
  })

  it('auth_key_id, aux hash and server_salt', () => {
    expect(toHex(authKeyId(authKey))).toBe(vectors.authKeyId)
    expect(authKeyIdBigInt(authKey)).toBe(BigInt(vectors.authKeyIdLe))
    expect(toHex(prepareAuthKey(authKey).id)).toBe(vectors.authKeyId)
    expect(toHex(authKeyAuxHash(authKey))).toBe(vectors.authKeyAuxHash)
    expect(toHex(initialServerSalt(newNonce, serverNonce))).toBe(vectors.serverSalt)
  })

  it.each([
    { n: 1, want: vectors.newNonceHash1 },
    { n: 2, want: vectors.newNonceHash2 },
    { n: 3, want: vectors.newNonceHash3 },
  ] as const)('new_nonce_hash$n', ({ n, want }) => {
    expect(toHex(newNonceHash(newNonce, n, hex(vectors.authKeyAuxHash)))).toBe(want)
  })

  it.each([
    { rule: 'new_nonce is 32 bytes', run: () => tmpAesKeyIv(new Uint8Array(16), serverNonce), code: 'BAD_LENGTH' },
    { rule: 'server_nonce is 16 bytes', run: () => tmpAesKeyIv(newNonce, new Uint8Array(8)), code: 'BAD_LENGTH' },
    { rule: 'auth_key is 256 bytes', run: () => authKeyId(new Uint8Array(255)), code: 'BAD_KEY_LENGTH' },
    { rule: 'msg_key is 16 bytes', run: () => mtproto2Kdf(authKey, new Uint8Array(15), true), code: 'BAD_LENGTH' },
    { rule: 'v1 msg_key is 16 bytes', run: () => mtproto1Kdf(authKey, new Uint8Array(17), true), code: 'BAD_LENGTH' },
    { rule: 'padded plaintext is block aligned', run: () => msgKeyFor(authKey, new Uint8Array(20), true), code: 'NOT_BLOCK_ALIGNED' },
    { rule: 'hash number is 1..3', run: () => newNonceHash(newNonce, 4 as 1, new Uint8Array(8)), code: 'BAD_INPUT' },
  ])('rejects bad input: $rule', ({ run, code }) => {
    expect(run).toThrow(expect.objectContaining({ code }))
  })
})

describe('message KDF (encryption.md §2)', () => {
  it('x = 0 and x = 8 give different keys, and the prepared key never prints its bytes', () => {
    const msgKey = msgKeyFor(authKey, new Uint8Array(64), true)
    expect(msgKey.length).toBe(16)
    const a = mtproto2Kdf(authKey, msgKey, true)
    const b = mtproto2Kdf(authKey, msgKey, false)
    expect(toHex(a.key)).not.toBe(toHex(b.key))
    expect(a.iv.length).toBe(32)
    const p = prepareAuthKey(authKey)
    expect(`${p}`).toBe('[redacted]')
    expect(JSON.stringify({ p })).toBe('{"p":"[redacted]"}')
  })
})
