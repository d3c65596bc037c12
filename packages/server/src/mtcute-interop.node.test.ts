import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ServerStats } from '@pfs-web/control-client'
import { mtcuteClient, startServerForMtcute, type MtcuteClient, type MtcuteTransport, type MtcuteVersion } from './test-support/mtcute-client.ts'

type Server = Awaited<ReturnType<typeof startServerForMtcute>>
let server: Server
const open: MtcuteClient[] = []

beforeAll(async () => {
  server = await startServerForMtcute()
})
afterEach(async () => {
  for (const c of open.splice(0)) await c.destroy()
  await server.faults.apply({ type: 'clear' })
})
afterAll(() => server.dispose())

async function connected(version: MtcuteVersion, transport: MtcuteTransport): Promise<MtcuteClient> {
  const client = await mtcuteClient(server, version, transport)
  open.push(client)
  await client.connect()
  return client
}

const delta = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0))

function newKeys(before: ServerStats, after: ServerStats): ServerStats['keys'] {
  const known = new Set(before.keys.map((k) => k.id))
  return after.keys.filter((k) => !known.has(k.id))
}

const runs: { version: MtcuteVersion; transport: MtcuteTransport }[] = [
  { version: '0.30.3', transport: 'tcp' },
  { version: '0.30.3', transport: 'ws' },
  { version: '0.31.0', transport: 'tcp' },
  { version: '0.31.0', transport: 'ws' },
]

describe('interop: mtcute with PFS (issues #4 "Proof", #13)', () => {
  it.each(runs)('$version over $transport: perm + temp handshakes, a bind, and every API call under the bound temp key', async ({ version, transport }) => {
    const before = server.stats()
    const client = await connected(version, transport)
    expect((await client.getConfig()).thisDc).toBe(2)
    expect((await client.getNearestDc()).thisDc).toBe(2)
    const after = server.stats()
    const keys = newKeys(before, after)
    const bound = keys.filter((k) => k.kind === 'temp' && k.boundTo !== null)
    expect(bound).toHaveLength(1)
    const temp = bound[0]!
    const perm = keys.find((k) => k.id === temp.boundTo)
    expect(perm).toMatchObject({ kind: 'perm', form: 'p_q_inner_data_dc', dc: 2, apiCalls: 0 })
    expect(temp).toMatchObject({ form: 'p_q_inner_data_temp_dc', dc: 2, inited: true })
    expect(temp.apiCalls).toBeGreaterThanOrEqual(3)
    // mtcute drops auth_key's leading zero bytes (1 handshake in 256), so it then rejects the
    // server's new_nonce_hash1 and starts over: the key it gave up is never used
    for (const k of keys.filter((k) => k !== temp && k !== perm)) expect(k).toMatchObject({ messages: 0, apiCalls: 0 })
    expect(after.binds.ok - before.binds.ok).toBe(1)
    expect(delta(after.apiCalls, before.apiCalls)).toMatchObject({ 'auth.bindTempAuthKey': 1, 'help.getConfig': 1, 'help.getNearestDc': 1, 'updates.getState': 1 })
    expect(after.violations.count).toBe(before.violations.count)
    expect(delta(after.transportErrors, before.transportErrors)).toEqual({})
    expect(delta(after.badMsgNotifications, before.badMsgNotifications)).toEqual({})
  })
})

describe('mtcute and a server clock skew that is cleared (issue #13, encryption.md §5, §6)', () => {
  const timeNotices = (s: ServerStats): number => (s.badMsgNotifications['16'] ?? 0) + (s.badMsgNotifications['17'] ?? 0)

  // mtcute takes its clock from the handshake's server_time, so a new client holds the
  // acceptance line; the row after this one is where a server clock that stays ahead shows.
  it.each(runs.filter((r) => r.transport === 'tcp'))('$version: a client connected after a +120 s skew is cleared gets 0 bad_msg 16/17', async ({ version }) => {
    await server.faults.apply({ type: 'clock-offset', seconds: 120 })
    const during = await connected(version, 'tcp')
    expect((await during.getConfig()).thisDc).toBe(2)
    await during.destroy()
    await server.faults.apply({ type: 'clear' })
    const before = server.stats()
    const client = await connected(version, 'tcp')
    expect((await client.getConfig()).thisDc).toBe(2)
    expect((await client.getNearestDc()).thisDc).toBe(2)
    expect(timeNotices(server.stats())).toBe(timeNotices(before))
  })

  it.each(runs.filter((r) => r.transport === 'tcp'))('$version: a client connected during the skew recovers once it is cleared: its stale msg_ids draw bad_msg 17 carrying the server clock, it resyncs and is answered', async ({ version }) => {
    await server.faults.apply({ type: 'clock-offset', seconds: 120 })
    const client = await connected(version, 'tcp')
    expect((await client.getConfig()).thisDc).toBe(2)
    await server.faults.apply({ type: 'clear' })
    const before = server.stats()
    expect((await client.getConfig()).thisDc).toBe(2)
    expect((await client.getNearestDc()).thisDc).toBe(2)
    // one 17 for its first message (mtcute takes the clock from it and resets the session:
    // with msg_ids kept monotonic the 17 carried the skewed clock again, and mtcute looped
    // until its call timed out), then one 48: the key's salts were drawn at skewed time
    expect(delta(server.stats().badMsgNotifications, before.badMsgNotifications)).toEqual({ '17': 1, '48': 1 })
  })
})
