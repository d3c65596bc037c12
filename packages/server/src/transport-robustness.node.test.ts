import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { openObfuscated } from './transport/obfuscation.ts'
import { connectPfs } from './test-support/pfs-client.ts'
import { startTestServer, tcp, ws } from './test-support/server-fixture.ts'

type Server = Awaited<ReturnType<typeof startTestServer>>
let server: Server

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.dispose())

/** Writes raw bytes on a fresh TCP connection and resolves when the server closes it. */
function closedBy(bytes: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(server.tcpPort, server.host, () => s.write(bytes))
    const timer = setTimeout(() => {
      s.destroy()
      resolve(false)
    }, 3000)
    s.on('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
    s.on('error', () => {})
  })
}

function obfuscatedWithTag(tag: number): Buffer {
  const o = openObfuscated('intermediate', 2, randomBytes)
  // Re-encrypt the header with a foreign tag: bytes 56..63 travel encrypted.
  const header = Buffer.from(o.header)
  header.writeUInt32LE((header.readUInt32LE(56) ^ 0xeeeeeeee ^ tag) >>> 0, 56)
  return header
}

describe('malformed transport input closes that connection only (issue #4 "Adversarial")', () => {
  const intermediate = (len: number): Buffer => {
    const b = Buffer.alloc(8)
    b.writeUInt32LE(0xeeeeeeee, 0)
    b.writeUInt32LE(len, 4)
    return b
  }
  it.each([
    { rule: 'transports §3: unknown tag in the obfuscation header', bytes: () => obfuscatedWithTag(0x12345678), code: 'BAD_OBFUSCATION_TAG' },
    { rule: 'zero-length frame', bytes: () => intermediate(0), code: 'FRAME_EMPTY' },
    { rule: '16 MiB length', bytes: () => intermediate(16 * 1024 * 1024), code: 'FRAME_TOO_LONG' },
    { rule: 'a 4-byte payload (shorter than an auth_key_id)', bytes: () => Buffer.concat([intermediate(4), Buffer.alloc(4)]), code: 'PAYLOAD_TOO_SHORT' },
    { rule: 'intermediate length not a multiple of 4', bytes: () => intermediate(7), code: 'BAD_FRAME_LENGTH' },
  ])('$rule → closed ($code)', async ({ bytes, code }) => {
    const before = server.stats().connections.closedForBadInput[code] ?? 0
    expect(await closedBy(bytes())).toBe(true)
    expect(server.stats().connections.closedForBadInput[code]).toBe(before + 1)
  })

  it('encryption §4: a forged packet (msg_key mismatch) → -404 and close', async () => {
    const c = await connectPfs(tcp(server), server.rsaPublicKeyPem)
    const t = c.session.transport
    const forged = Buffer.alloc(24 + 64)
    forged.writeBigInt64LE(c.temp.id, 0)
    randomBytes(80).copy(forged, 8)
    t.send(forged)
    await new Promise((r) => setTimeout(r, 200))
    expect(c.session.transportErrors).toContain(-404)
    expect(t.closed).toBe(true)
  })

  it('a WebSocket without the binary subprotocol is refused; other clients carry on', async () => {
    const healthy = await connectPfs(ws(server), server.rsaPublicKeyPem)
    const refused = await new Promise<boolean>((resolve) => {
      const sock = new WebSocket(`ws://${server.host}:${server.wsPort}/apiws`)
      sock.on('open', () => resolve(false))
      sock.on('error', () => resolve(true))
      sock.on('close', () => resolve(true))
    })
    expect(refused).toBe(true)
    expect(await closedBy(Buffer.from('GET / HTTP/1.1\r\n\r\n'.padEnd(64, ' ')))).toBe(true)
    expect((await healthy.session.api({ _: 'help.getConfig' }))._).toBe('config')
    healthy.close()
  })

  it.each([
    { name: 'tcp padded obfuscated', opts: () => ({ ...tcp(server, 'padded', true), splitWrites: 7 }) },
    { name: 'ws padded', opts: () => ({ ...ws(server, 'padded'), splitWrites: 5 }) },
  ])('$name: frames split into tiny writes are reassembled as one stream', async ({ opts }) => {
    const c = await connectPfs(opts(), server.rsaPublicKeyPem)
    expect((await c.session.api({ _: 'help.getNearestDc' }))._).toBe('nearestDc')
    c.close()
  })
})
