import { describe, expect, it } from 'vitest'
import type { KeyEvent } from '../../api.ts'
import type { PermKeyStorage } from '../../env.ts'
import { EngineError } from '../../errors.ts'
import type { HandshakeResult } from '../../handshake/handshake.ts'
import { KeyStore, type KeyHandle } from '../../keys/key-store.ts'
import { PermKeyKeeper, type PermKeyHost } from './perm-key-keeper.ts'

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))

/** A DC on fake ports whose perm handshakes fail `failures` times first. */
function fakeDc(o: { stored?: Uint8Array; failures?: number } = {}) {
  const saved = new Map<number, Uint8Array>(o.stored ? [[2, o.stored]] : [])
  const storage: PermKeyStorage = {
    get: async (dc) => saved.get(dc),
    set: async (dc, key) => void saved.set(dc, key),
    delete: async (dc) => void saved.delete(dc),
  }
  let failures = o.failures ?? 0
  const log = { handshakes: 0, sleeps: [] as number[], events: [] as string[], failed: [] as Error[], closed: 0, closedBeforeStored: 0 }
  const host: PermKeyHost = {
    dcId: 2,
    env: { permKeys: storage },
    keys: new KeyStore(),
    hooks: { changed: () => undefined, keyEvent: (e: KeyEvent) => void log.events.push(e.kind), update: () => undefined },
    isStopped: false,
    async runHandshake(): Promise<HandshakeResult & { conn: { close(): void } }> {
      log.handshakes++
      if (failures-- > 0) throw new EngineError('TIMEOUT', 'no answer')
      const conn = {
        close: () => {
          log.closed++
          if (!saved.has(2)) log.closedBeforeStored++
        },
      }
      return { mode: { kind: 'perm' }, authKey: random(256), serverSalt: 1n, serverTime: 1_700_000_000, serverTimeAt: 0, conn }
    },
    event: (kind: KeyEvent['kind'], key: KeyHandle | null): KeyEvent => ({ dcId: 2, kind, keyId: key?.idHex ?? null, keyKind: 'perm', at: 0 }),
    setError: () => undefined,
    now: () => 5_000,
    rand: () => 0.5,
    sleep: async (ms) => void log.sleeps.push(ms),
    count: () => undefined,
    permFailed: (err) => void log.failed.push(err),
  }
  return { keeper: new PermKeyKeeper(host), host, saved, log }
}

describe('PermKeyKeeper', () => {
  it('pfs §1.1: a stored perm key is loaded, no handshake; its age is unknown', async () => {
    const dc = fakeDc({ stored: random(256) })
    const key = await dc.keeper.get()
    expect(key.kind).toBe('perm')
    expect(dc.log.handshakes).toBe(0)
    expect(dc.keeper.ageS()).toBeNull()
  })

  it('no stored key: one handshake for callers asking at once; the key is stored and reported', async () => {
    const dc = fakeDc()
    const [a, b] = await Promise.all([dc.keeper.get(), dc.keeper.get()])
    expect(a).toBe(b)
    expect(dc.log.handshakes).toBe(1)
    expect(dc.saved.get(2)).toHaveLength(256)
    expect(dc.log.events).toEqual(['created'])
    expect(dc.keeper.ageS()).toBe(0)
  })

  it('pfs §1.2 (issue #17): the perm handshake\'s connection carries nothing under the perm key: it is closed at once, before the key is stored', async () => {
    const dc = fakeDc()
    await dc.keeper.get()
    expect(dc.log.closed).toBe(1)
    expect(dc.log.closedBeforeStored).toBe(1)
  })

  it('failed perm handshakes are retried with backoff, 5 in all; then connect() fails with the last error', async () => {
    const dc = fakeDc({ failures: 5 })
    await expect(dc.keeper.get()).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(dc.log.handshakes).toBe(5)
    expect(dc.log.sleeps).toEqual([375, 750, 1_500, 3_000])
    expect(dc.log.failed.map((e) => (e as EngineError).code)).toEqual(['TIMEOUT'])
    expect(dc.keeper.key).toBeNull()
  })

  it('drop(): the key leaves storage and the key store (which zeroes it) and is reported dropped', async () => {
    const dc = fakeDc()
    const key = await dc.keeper.get()
    const dropped = await dc.keeper.drop()
    expect(dropped).toBe(key)
    expect(dc.keeper.key).toBeNull()
    expect(dc.saved.has(2)).toBe(false)
    expect(dc.host.keys.has(key)).toBe(false)
    expect(dc.log.events).toEqual(['created', 'dropped'])
  })
})
