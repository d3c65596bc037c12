import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServerStats } from '@pfs-web/control-client'
import { runGramJs, type GramJsTransport } from './test-support/gramjs-client.ts'
import { startTestServer } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let strict: Server
let lenient: Server

beforeAll(async () => {
  strict = await startTestServer()
  lenient = await startTestServer({ strictPfs: false })
})
afterAll(async () => {
  await strict.dispose()
  await lenient.dispose()
})

const delta = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0))

function newKeys(before: ServerStats, after: ServerStats): ServerStats['keys'] {
  const known = new Set(before.keys.map((k) => k.id))
  return after.keys.filter((k) => !known.has(k.id))
}

describe('interop: GramJS 2.26 (npm telegram) with a plain key, no PFS (issue #13)', () => {
  it.each<{ transport: GramJsTransport; strictPfs: boolean }>([
    { transport: 'tcp-abridged', strictPfs: true },
    { transport: 'ws-obfuscated', strictPfs: true },
    { transport: 'tcp-abridged', strictPfs: false },
    { transport: 'ws-obfuscated', strictPfs: false },
  ])(
    '$transport, strictPfs $strictPfs: a perm key from the legacy p_q_inner_data, help.getConfig answered under it',
    async ({ transport, strictPfs }) => {
      const server = strictPfs ? strict : lenient
      const before = server.stats()
      const { config } = await runGramJs(server, transport)
      expect(config.thisDc).toBe(2)
      const after = server.stats()
      const keys = newKeys(before, after)
      const used = keys.filter((k) => k.messages > 0)
      expect(used).toHaveLength(1)
      const key = used[0]
      // the legacy form, no dc in it: filed under DC 2; no temp key, no bind
      expect(key).toMatchObject({ kind: 'perm', form: 'p_q_inner_data', dc: 2, boundTo: null })
      // GramJS drops auth_key's leading zero bytes (1 handshake in 256), so it then rejects
      // the server's new_nonce_hash1 and connects again: the key it gave up is never used
      for (const k of keys) expect(k).toMatchObject({ kind: 'perm', form: 'p_q_inner_data' })
      expect(Object.keys(delta(after.handshakes.forms, before.handshakes.forms))).toEqual(['p_q_inner_data'])
      expect(after.binds.ok).toBe(before.binds.ok)
      // connect()'s invokeWithLayer(initConnection(help.getConfig)) and our help.getConfig
      expect(key!.apiCalls).toBe(2)
      expect(delta(after.apiCalls, before.apiCalls)).toEqual({ 'help.getConfig': 2 })
      // pfs-and-errors.md §1: API calls under a perm key are what strict mode exists to count
      const violations = after.violations.count - before.violations.count
      expect(violations).toBe(strictPfs ? 2 : 0)
      if (strictPfs) {
        expect(after.violations.recent.slice(-2)).toMatchObject([
          { keyId: key!.id, method: 'help.getConfig' },
          { keyId: key!.id, method: 'help.getConfig' },
        ])
      }
      // GramJS's first message carries salt 0: one bad_server_salt, then it uses the right one
      expect(delta(after.badMsgNotifications, before.badMsgNotifications)).toEqual({ '48': 1 })
      expect(delta(after.transportErrors, before.transportErrors)).toEqual({})
      expect(delta(after.handshakes.failed, before.handshakes.failed)).toEqual({})
      expect(delta(after.connections.closedForBadInput, before.connections.closedForBadInput)).toEqual({})
    },
    30_000,
  )
})
