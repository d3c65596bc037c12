/**
 * Issue #16, the logger: the worker's key and connection events reach the page's logger as
 * structured lines (level, event, fields), and no line holds key bytes. A run makes a perm
 * key and temp keys, rotates, meets a -404, a dropped connection and a flood wait; every
 * line is then searched for any 16-byte run of every key the engine held (hex, base64,
 * latin1), and the search is shown to find a key planted in a line.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer } from '@pfs-web/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findSecrets } from '../test/leak-scan.ts'
import { nodeEngine } from '../test/node-client.ts'
import { createPfsClient, type PfsClient } from './client.ts'
import type { LogEvent, LogFields, LogLevel } from './logger.ts'

let server: RunningServer
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pfs-client-logger-'))
  server = await startServer({ dataDir, wsPort: 0, tcpPort: 0, controlPort: 0 })
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

type Line = { level: LogLevel; event: LogEvent; fields: LogFields }

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('logger (issue #16)', () => {
  it('rotation, -404, reconnect and flood wait are logged with key ids; no line holds a byte run of any key', async () => {
    const lines: Line[] = []
    const { options, keys } = nodeEngine(server)
    const client: PfsClient = createPfsClient({ ...options, floodWaitMaxS: 5, logger: (level, event, fields) => void lines.push({ level, event, fields }) })
    try {
      const first = await client.connect()
      await client.rotateNow()
      // -404: the server forgets the temp key in use; the next call meets it and recovers
      const afterRotation = (await client.states())[0]?.tempKeyId
      await server.faults.apply({ type: 'forget-temp-key' })
      await client.getNearestDc()
      await until(() => lines.some((l) => l.event === 'recovered'), 'recovery')
      await server.faults.apply({ type: 'flood-wait', method: 'help.getNearestDc', seconds: 1 })
      await client.getNearestDc()
      await server.faults.apply({ type: 'drop-connection', after: 'bind' })
      await client.rotateNow()
      await until(() => lines.some((l) => l.event === 'reconnect'), 'a reconnect')

      const events = new Set(lines.map((l) => l.event))
      for (const e of ['created', 'bound', 'rotated', 'dropped', 'not-found-404', 'recovered', 'flood-wait', 'reconnect'] as const) expect(events, e).toContain(e)
      expect(lines.find((l) => l.event === 'created' && l.fields.keyKind === 'perm')?.fields).toMatchObject({ dcId: 2, keyId: first.permKeyId })
      expect(lines.find((l) => l.event === 'not-found-404')).toMatchObject({ level: 'warn', fields: { keyId: afterRotation } })
      expect(lines.find((l) => l.event === 'flood-wait')).toMatchObject({ level: 'warn', fields: { seconds: 1, detail: 'help.getNearestDc' } })
      expect(lines.find((l) => l.event === 'handshake-started')?.level).toBe('debug')

      // every key the engine held, perm and temp
      const secrets = Object.fromEntries(keys.copies)
      expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(5)
      const logs = [{ where: 'logs' as const, entries: lines.map((l, i) => ({ location: `lines[${i}] ${l.event}`, value: l })) }]
      expect(findSecrets(secrets, logs, 16)).toEqual([])
      // the scan can find a key: one planted in a line's detail, as hex
      const [id, bytes] = [...keys.copies][1] as [string, Uint8Array]
      const planted = [{ where: 'logs' as const, entries: [{ location: 'planted', value: { detail: Buffer.from(bytes.subarray(40, 60)).toString('hex') } }] }]
      expect(findSecrets({ [id]: bytes }, planted, 16)).toEqual([{ secret: id, where: 'logs', location: 'planted' }])
    } finally {
      await client.close()
    }
  }, 60_000)
})
