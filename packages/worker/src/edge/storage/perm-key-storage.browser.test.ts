import { createStore, set } from 'idb-keyval'
import { afterAll, expect, it } from 'vitest'
import { fakePermKey, permKeyStorageContract } from '../../../test/perm-key-storage-contract.ts'
import { PERM_KEY_STORE_NAME, createIdbPermKeyStorage } from './perm-key-storage.ts'

// Each test gets its own database so no test reads another's keys.
const dbNames: string[] = []
let n = 0
function freshDbName(): string {
  const name = `pfs-perm-key-test-${Date.now()}-${n++}`
  dbNames.push(name)
  return name
}

afterAll(async () => {
  await Promise.all(dbNames.map((name) => new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = req.onerror = req.onblocked = resolve
  })))
})

permKeyStorageContract('idb-keyval', () => createIdbPermKeyStorage(freshDbName()))

it('idb-keyval: a key survives into a new storage object on the same database', async () => {
  const name = freshDbName()
  await createIdbPermKeyStorage(name).set(2, fakePermKey(2))
  expect(await createIdbPermKeyStorage(name).get(2)).toEqual(fakePermKey(2))
})

it('idb-keyval: a corrupt entry is an error, not "no key"', async () => {
  const name = freshDbName()
  await set(2, 'not a key', createStore(name, PERM_KEY_STORE_NAME))
  await expect(createIdbPermKeyStorage(name).get(2)).rejects.toMatchObject({ code: 'CORRUPT_ENTRY' })
})

it('idb-keyval: opens nothing until the first operation', async () => {
  const name = freshDbName()
  const s = createIdbPermKeyStorage(name)
  expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name)
  await s.get(1)
  expect((await indexedDB.databases()).map((d) => d.name)).toContain(name)
})
