/**
 * One suite for every PermKeyStorage implementation (the idb-keyval one in Chromium, the
 * in-memory one everywhere), so the two cannot drift apart.
 */
import { describe, expect, it } from 'vitest'
import type { PermKeyStorage } from '../src/env.ts'

export function fakePermKey(seed: number): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, i) => (i * 31 + seed * 7 + 1) & 0xff)
}

export function permKeyStorageContract(name: string, make: () => PermKeyStorage): void {
  describe(`${name}: PermKeyStorage contract`, () => {
    it('returns undefined for a DC that has no key', async () => {
      await expect(make().get(2)).resolves.toBeUndefined()
    })

    it('keeps one key per DC', async () => {
      const s = make()
      await s.set(1, fakePermKey(1))
      await s.set(2, fakePermKey(2))
      expect(await s.get(1)).toEqual(fakePermKey(1))
      expect(await s.get(2)).toEqual(fakePermKey(2))
    })

    it('overwrites the key of a DC', async () => {
      const s = make()
      await s.set(3, fakePermKey(1))
      await s.set(3, fakePermKey(9))
      expect(await s.get(3)).toEqual(fakePermKey(9))
    })

    it('deletes only the named DC', async () => {
      const s = make()
      await s.set(1, fakePermKey(1))
      await s.set(4, fakePermKey(4))
      await s.delete(1)
      expect(await s.get(1)).toBeUndefined()
      expect(await s.get(4)).toEqual(fakePermKey(4))
    })

    it('is unaffected when the caller zeroes its buffer after set (secrets: fill(0))', async () => {
      const s = make()
      const key = fakePermKey(5)
      await s.set(5, key)
      key.fill(0)
      expect(await s.get(5)).toEqual(fakePermKey(5))
    })

    it('keeps the home DC apart from the perm keys (issue #16: a reload keeps a migrated home)', async () => {
      const s = make()
      await expect(s.getHome?.()).resolves.toBeUndefined()
      await s.set(4, fakePermKey(4))
      await s.setHome?.(4)
      await s.setHome?.(1)
      expect(await s.getHome?.()).toBe(1)
      expect(await s.get(4)).toEqual(fakePermKey(4))
      expect(await s.get(1)).toBeUndefined()
      await expect(s.setHome?.(0)).rejects.toMatchObject({ code: 'BAD_DC_ID' })
    })

    it('keeps the DH powers apart from the perm keys, replaced by the latest, a copy (issue #17)', async () => {
      const s = make()
      expect(typeof s.setDhPowers).toBe('function')
      await expect(s.getDhPowers?.()).resolves.toBeUndefined()
      await s.set(1, fakePermKey(1))
      const powers = new Uint8Array(87840).fill(7)
      await s.setDhPowers?.(new Uint8Array(87840).fill(3))
      await s.setDhPowers?.(powers)
      powers.fill(0)
      expect(await s.getDhPowers?.()).toEqual(new Uint8Array(87840).fill(7))
      expect(await s.get(1)).toEqual(fakePermKey(1))
    })

    it.each([
      { rule: 'a perm key is 256 bytes', dcId: 1, key: new Uint8Array(255), code: 'BAD_KEY_LENGTH' },
      { rule: 'a dcId is a positive integer', dcId: 0, key: fakePermKey(0), code: 'BAD_DC_ID' },
      { rule: 'a dcId is an integer', dcId: 1.5, key: fakePermKey(0), code: 'BAD_DC_ID' },
    ])('refuses bad input: $rule', async ({ dcId, key, code }) => {
      await expect(make().set(dcId, key)).rejects.toMatchObject({ code })
    })
  })
}
