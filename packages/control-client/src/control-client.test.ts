import { PfsError } from '@pfs-web/errors'
import { describe, expect, it } from 'vitest'
import { ControlClient, ControlError, type FaultState, type Fetch } from './index.ts'

// Runs in Node and in Chromium (the chromium project includes it): the client must load
// and work on a page as it does in Node.

interface Sent {
  url: string
  init: RequestInit
}

/** A fetch that records each request and answers with `answer`. */
function fakeFetch(answer: () => Response | Promise<Response>): { fetch: Fetch; sent: Sent[] } {
  const sent: Sent[] = []
  return {
    sent,
    fetch: async (url, init) => {
      sent.push({ url, init })
      return answer()
    },
  }
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const STATE: FaultState = {
  clockOffsetSeconds: 0,
  handshakeDelayMs: 0,
  latencyMs: 40,
  storm404Until: null,
  flood429Until: null,
  pendingBindErrors: [],
  pendingDrops: [],
  pendingDhGen: [],
  pendingFloodWaits: [],
  pushEverySeconds: 0,
  bindingMode: 'replace',
  migrations: [],
  authorizationRequired: false,
}

describe('ControlClient requests', () => {
  it('GETs live state under the base URL, never from a cache', async () => {
    const f = fakeFetch(() => json(200, STATE))
    const control = new ControlClient('/control', f.fetch)
    expect(await control.faultState()).toEqual(STATE)
    await control.stats()
    await control.info()
    expect(f.sent.map((s) => s.url)).toEqual(['/control/faults', '/control/stats', '/control/info'])
    for (const { init } of f.sent) expect(init).toEqual({ method: 'GET', cache: 'no-store' })
  })

  it('POSTs one fault or a list as JSON, in order, and answers the new state', async () => {
    const f = fakeFetch(() => json(200, STATE))
    const control = new ControlClient('http://127.0.0.1:9445', f.fetch)
    expect(await control.fault({ type: 'latency', ms: 40 })).toEqual(STATE)
    await control.fault([{ type: 'clear' }, { type: 'binding-mode', mode: 'replace' }])
    expect(f.sent.map((s) => [s.url, s.init.method, new Headers(s.init.headers).get('content-type')])).toEqual([
      ['http://127.0.0.1:9445/faults', 'POST', 'application/json'],
      ['http://127.0.0.1:9445/faults', 'POST', 'application/json'],
    ])
    expect(f.sent.map((s) => JSON.parse(String(s.init.body)) as unknown)).toEqual([
      { type: 'latency', ms: 40 },
      [{ type: 'clear' }, { type: 'binding-mode', mode: 'replace' }],
    ])
  })

  it('reads the RSA key as PEM text and a temp key as hex', async () => {
    const pem = '-----BEGIN RSA PUBLIC KEY-----\nAA==\n-----END RSA PUBLIC KEY-----\n'
    const f = fakeFetch(() => new Response(pem))
    expect(await new ControlClient('', f.fetch).rsaPem()).toBe(pem)
    const k = fakeFetch(() => json(200, { id: '-42', hex: 'ab01' }))
    expect(await new ControlClient('', k.fetch).tempKeyHex('-42')).toBe('ab01')
    expect(k.sent[0]?.url).toBe('/keys/temp/-42')
  })
})

describe('ControlClient errors', () => {
  it.each([
    { rule: 'a refusal carries the code the server threw', answer: () => json(400, { error: 'BAD_FAULT', message: 'unknown fault type' }), code: 'BAD_FAULT' },
    { rule: 'a refusal without a message still carries its code', answer: () => json(404, { error: 'NOT_FOUND' }), code: 'NOT_FOUND' },
    { rule: 'a refusal that is not JSON (a proxy error page) is coded by its status', answer: () => new Response('<h1>Bad Gateway</h1>', { status: 502 }), code: 502 },
    { rule: 'a JSON refusal without an error code is coded by its status', answer: () => json(500, { oops: true }), code: 500 },
    { rule: 'an answer that is not JSON is BAD_RESPONSE', answer: () => new Response('<!doctype html>'), code: 'BAD_RESPONSE' },
  ])('$rule', async ({ answer, code }) => {
    const control = new ControlClient('', fakeFetch(answer).fetch)
    const err: unknown = await control.stats().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ControlError)
    expect(err).toBeInstanceOf(PfsError)
    expect(err).toMatchObject({ name: 'ControlError', code })
  })

  it('a port that does not answer is UNREACHABLE, with the fetch failure as its cause', async () => {
    const down = new TypeError('fetch failed')
    const control = new ControlClient('http://127.0.0.1:1', () => Promise.reject(down))
    const err: unknown = await control.fault({ type: 'clear' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ControlError)
    expect(err).toMatchObject({ code: 'UNREACHABLE', cause: down })
  })

  it('a temp key the server no longer holds is null; a server without --expose-keys is an error', async () => {
    const gone = new ControlClient('', fakeFetch(() => json(404, { error: 'NO_SUCH_KEY' })).fetch)
    expect(await gone.tempKeyHex('7')).toBeNull()
    const hidden = new ControlClient('', fakeFetch(() => json(404, { error: 'NOT_FOUND' })).fetch)
    await expect(hidden.tempKeyHex('7')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('ControlClient default fetch', () => {
  it('calls the global fetch unbound from the client (browsers reject fetch called on another object)', async () => {
    const original = globalThis.fetch
    const seen: string[] = []
    globalThis.fetch = function (this: unknown, input: RequestInfo | URL) {
      // A real browser fetch throws "Illegal invocation" for any `this` but the global.
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation')
      seen.push(String(input))
      return Promise.resolve(json(200, STATE))
    } as typeof fetch
    try {
      expect(await new ControlClient('/c').faultState()).toEqual(STATE)
    } finally {
      globalThis.fetch = original
    }
    expect(seen).toEqual(['/c/faults'])
  })
})
