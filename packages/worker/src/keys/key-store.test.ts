import { describe, expect, it } from 'vitest'
import type { PermKeyStorage } from '../env.ts'
import { encryptMessage } from '@pfs-web/crypto'
import { KeyStore } from './key-store.ts'

async function sha1Id(key: Uint8Array): Promise<Uint8Array> {
  // WebCrypto as the independent reference for auth_key_id.
  const h = new Uint8Array(await crypto.subtle.digest('SHA-1', new Uint8Array(key)))
  return h.slice(12, 20)
}

function keyBytes(fill: number): Uint8Array {
  return new Uint8Array(256).fill(fill)
}

function memoryStorage(): PermKeyStorage & { map: Map<number, Uint8Array> } {
  const map = new Map<number, Uint8Array>()
  return {
    map,
    get: async (dc) => map.get(dc),
    set: async (dc, k) => void map.set(dc, k),
    delete: async (dc) => void map.delete(dc),
  }
}

describe('KeyStore', () => {
  it('derives auth_key_id from SHA1(key)[12:20] and hands out only the handle', async () => {
    const store = new KeyStore()
    const bytes = keyBytes(7)
    const want = await sha1Id(bytes)
    const h = store.add(2, 'temp', bytes, 100, 200)
    expect(h.idBytes).toEqual(want)
    expect(h.id).toBe(new DataView(want.buffer).getBigInt64(0, true))
    expect(h.idHex).toHaveLength(16)
    expect(Object.isFrozen(h)).toBe(true)
    expect(store.use(h, (k) => k[0])).toBe(7)
  })

  it('STYLE secrets: a dropped temp key buffer is zeroed and no longer usable', async () => {
    const store = new KeyStore()
    const bytes = keyBytes(0xaa)
    const h = store.add(2, 'temp', bytes, 0, 10)
    const prepared = store.usePrepared(h, (k) => k)
    store.drop(h)
    expect(() => store.usePrepared(h, (k) => k)).toThrow(expect.objectContaining({ code: 'KEY_DROPPED' }))
    // crypto's prepared copy is wiped too: using it afterwards is refused.
    await expect(encryptMessage(prepared, new Uint8Array(64), true)).rejects.toMatchObject({ code: 'KEY_WIPED' })
    expect(bytes.every((b) => b === 0)).toBe(true)
    expect(store.has(h)).toBe(false)
    expect(() => store.use(h, (k) => k)).toThrow(expect.objectContaining({ code: 'KEY_DROPPED' }))
  })

  it('dropDc zeroes only that DC', async () => {
    const store = new KeyStore()
    const a = keyBytes(1)
    const b = keyBytes(2)
    store.add(1, 'perm', a, 0, null)
    const hb = store.add(2, 'perm', b, 0, null)
    store.dropDc(1)
    expect(a.every((x) => x === 0)).toBe(true)
    expect(b[0]).toBe(2)
    expect(store.has(hb)).toBe(true)
  })

  it('redacts itself in every textual view', async () => {
    const store = new KeyStore()
    store.add(2, 'perm', keyBytes(0x41), 0, null)
    expect(String(store)).toBe('[redacted]')
    expect(JSON.stringify({ store })).toBe('{"store":"[redacted]"}')
  })

  it('persists only perm keys, as a copy', async () => {
    const store = new KeyStore()
    const storage = memoryStorage()
    const perm = store.add(3, 'perm', keyBytes(9), 0, null)
    const temp = store.add(3, 'temp', keyBytes(8), 0, 5)
    await store.persistPerm(perm, storage)
    await expect(store.persistPerm(temp, storage)).rejects.toMatchObject({ code: 'NOT_PERM' })
    store.drop(perm)
    expect(storage.map.get(3)?.[0]).toBe(9)
    const loaded = await store.loadPerm(3, storage)
    expect(loaded?.id).toBe(perm.id)
    expect(await store.loadPerm(4, storage)).toBeUndefined()
  })
})
