/**
 * The rival: MTProto 2.0 messages built entirely on @mtcute/wasm (sha256 + ige256), the
 * way mtcute's own wasm crypto provider does it. Fenced here, used only by the bench.
 */
import { getWasmUrl, ige256Decrypt, ige256Encrypt, initSync, sha256 } from '@mtcute/wasm'

export async function loadMtcuteWasm(): Promise<void> {
  const bytes = await (await fetch(getWasmUrl())).arrayBuffer()
  initSync(await WebAssembly.compile(bytes))
}

function kdf(authKey: Uint8Array, msgKey: Uint8Array, x: number): { key: Uint8Array; iv: Uint8Array } {
  const a = sha256(concat(msgKey, authKey.subarray(x, x + 36)))
  const b = sha256(concat(authKey.subarray(40 + x, 76 + x), msgKey))
  return {
    key: concat(a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32)),
    iv: concat(b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32)),
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

export function mtcuteEncrypt(authKey: Uint8Array, authKeyId: Uint8Array, plain: Uint8Array, x: number): Uint8Array {
  const msgKey = sha256(concat(authKey.subarray(88 + x, 120 + x), plain)).subarray(8, 24)
  const { key, iv } = kdf(authKey, msgKey, x)
  return concat(authKeyId, msgKey, ige256Encrypt(plain, key, iv))
}

export function mtcuteDecrypt(authKey: Uint8Array, packet: Uint8Array, x: number): Uint8Array {
  const msgKey = packet.subarray(8, 24)
  const { key, iv } = kdf(authKey, msgKey, x)
  const plain = ige256Decrypt(packet.subarray(24), key, iv)
  const check = sha256(concat(authKey.subarray(88 + x, 120 + x), plain)).subarray(8, 24)
  for (let i = 0; i < 16; i++) if (check[i] !== msgKey[i]) throw new Error('mtcute contender: msg_key mismatch')
  const length = new DataView(plain.buffer, plain.byteOffset).getUint32(28, true)
  return plain.subarray(0, 32 + length)
}

export { ige256Decrypt, ige256Encrypt }
