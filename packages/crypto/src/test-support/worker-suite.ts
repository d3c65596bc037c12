/**
 * Runs inside a dedicated Worker (in-worker.browser.test.ts): the vector checks of the
 * symmetric half, reported back as { name, ok, detail } per check.
 */
import vectors from '../../test/vectors/auth-key-sample.json'
import { aesIgeDecrypt, aesIgeDecryptSync, aesIgeEncrypt, aesIgeEncryptSync } from '../aes-ige.ts'
import { createCtrStream } from '../aes-ctr.ts'
import { ctrProcess } from './ctr.ts'
import { authKeyAuxHash, newNonceHash, tmpAesKeyIv } from '../handshake-kdf.ts'
import { sha1, sha256 } from '../hash.ts'
import { decryptMessage, encryptMessage } from '../message.ts'
import { authKeyId } from '../mtproto-kdf.ts'
import { sha1Sync, sha256Sync } from '../sha-sync.ts'
import { hex, toHex } from './hex.ts'

export interface CheckResult {
  name: string
  ok: boolean
  detail?: string
}

const key = hex(vectors.tmpAesKey)
const iv = hex(vectors.tmpAesIv)
const authKey = hex(vectors.authKey)
const inner = hex(vectors.clientDhInnerData)
const dataWithHash = new Uint8Array([...sha1Sync(inner), ...inner, ...hex(vectors.clientDhPadding)])

type Check = [name: string, run: () => Promise<[got: string, want: string]> | [string, string]]

async function ctrChunked(): Promise<[string, string]> {
  const data = dataWithHash.slice(0, 100)
  const whole = await ctrProcess(createCtrStream(key, iv.subarray(0, 16)), data)
  const s = createCtrStream(key, iv.subarray(0, 16))
  const parts = await Promise.all([ctrProcess(s, data.subarray(0, 7)), ctrProcess(s, data.subarray(7, 40)), ctrProcess(s, data.subarray(40))])
  return [toHex(new Uint8Array(parts.flatMap((p) => [...p]))), toHex(whole)]
}

async function messageRoundtrip(): Promise<[string, string]> {
  const got: string[] = []
  const want: string[] = []
  for (const n of [64, 65536]) {
    const plain = new Uint8Array(n)
    plain.set(dataWithHash.subarray(0, 48))
    new DataView(plain.buffer).setUint32(28, n - 48, true)
    const dec = await decryptMessage(authKey, (await encryptMessage(authKey, plain, true)).packet, true)
    got.push(toHex(dec.plaintext))
    want.push(toHex(plain.subarray(0, n - 16)))
  }
  return [got.join(), want.join()]
}

const nonces = (): [Uint8Array, Uint8Array] => [hex(vectors.newNonce), hex(vectors.serverNonce)]

const checks: Check[] = [
  ['ige-decrypt-async §A6', async () => [toHex(await aesIgeDecrypt(key, iv, hex(vectors.encryptedAnswer))), vectors.answerWithHash]],
  ['ige-decrypt-sync §A6', () => [toHex(aesIgeDecryptSync(key, iv, hex(vectors.encryptedAnswer))), vectors.answerWithHash]],
  ['ige-encrypt-webcrypto §A7a', async () => [toHex(await aesIgeEncrypt(key, iv, dataWithHash)), vectors.clientEncryptedData]],
  ['ige-encrypt-sync §A7a', () => [toHex(aesIgeEncryptSync(key, iv, dataWithHash)), vectors.clientEncryptedData]],
  ['tmp-aes-key §A6', () => [toHex(tmpAesKeyIv(...nonces()).key), vectors.tmpAesKey]],
  ['tmp-aes-iv §A6', () => [toHex(tmpAesKeyIv(...nonces()).iv), vectors.tmpAesIv]],
  ['auth-key-id §A10', () => [toHex(authKeyId(authKey)), vectors.authKeyId]],
  ['sha1-webcrypto §A10', async () => [toHex(await sha1(authKey)), vectors.authKeySha1]],
  ['new-nonce-hash1 §A9', () => [toHex(newNonceHash(hex(vectors.newNonce), 1, authKeyAuxHash(authKey))), vectors.newNonceHash1]],
  ['sha256-sync = webcrypto', async () => [toHex(sha256Sync(dataWithHash)), toHex(await sha256(dataWithHash))]],
  ['message roundtrip 64 B and 64 KiB', messageRoundtrip],
  ['ctr stream chunked = one shot', ctrChunked],
]

async function run(): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const [name, f] of checks) {
    try {
      const [got, want] = await f()
      results.push(got === want ? { name, ok: true } : { name, ok: false, detail: `got ${got.slice(0, 64)}…` })
    } catch (e) {
      results.push({ name, ok: false, detail: String(e) })
    }
  }
  const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function' && typeof document === 'undefined'
  results.push({ name: 'runs in a dedicated worker', ok: inWorker })
  return results
}

void run().then((results) => postMessage(results))
