import { expect, it } from 'vitest'
import { fakePermKey, permKeyStorageContract } from '../../../test/perm-key-storage-contract.ts'
import { createMemoryPermKeyStorage } from './memory-perm-key-storage.ts'

permKeyStorageContract('memory', createMemoryPermKeyStorage)

it('memory: hands out copies, so zeroing a read key does not erase the stored one', async () => {
  const s = createMemoryPermKeyStorage()
  await s.set(1, fakePermKey(1))
  const read = await s.get(1)
  read?.fill(0)
  expect(await s.get(1)).toEqual(fakePermKey(1))
})
