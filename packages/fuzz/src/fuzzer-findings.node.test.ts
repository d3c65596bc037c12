/**
 * Engine defects the fuzzer found (issue #18), each replayed as a fixed scenario on the
 * fuzz server and virtual time: deterministic, and each failed before its fix.
 */
import { deserializeObject, type TlObject } from '@pfs-web/tl'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { installWorkTracking } from './async-work.ts'
import { GET_CONFIG, settleWithin, startEpoch, type Epoch } from './epoch.ts'
import { once } from './mutations/case-spec.ts'
import type { OutMessage } from './server/hooks.ts'

let uninstall: () => void = () => undefined
let epoch: Epoch | null = null

beforeEach(() => {
  uninstall = installWorkTracking()
})
afterEach(async () => {
  await epoch?.engine.close()
  epoch = null
  uninstall()
})

/** Calls help.getConfig with a deadline and runs virtual time until it settles. */
async function call(e: Epoch, timeoutMs = 30_000): Promise<string> {
  const r = await settleWithin(e, e.engine.invoke(GET_CONFIG, { timeoutMs }), timeoutMs + 1_000)
  if ('pending' in r) return `pending (${r.pending})`
  return r.ok ? deserializeObject(r.value)._ : String((r.error as { code?: unknown }).code)
}

describe('fuzzer findings (issue #18)', () => {
  it('enc §5: a call and the next key\'s bind numbered at one clock reading get different msg_ids; the call gets its own answer', async () => {
    // server clock +40 s, then back: our msg_ids run 40 s ahead, bad_msg 17 carries no clock,
    // and the rotation that brings one binds its key in the instant the held call is resent
    // on a traffic session renumbered from scratch
    const e = (epoch = await startEpoch(18, 0))
    expect(await call(e)).toBe('config')
    e.server.skewS = 40
    expect(await call(e)).toBe('config')
    e.server.skewS = 0
    expect(await call(e)).toBe('config')
    expect(await call(e)).toBe('config')
    expect((await e.engine.states())[0]).toMatchObject({ status: 'ready', bound: true, lastError: null })
  })

  it('enc §6 (17): a session whose msg_ids a 17 with no clock called ahead starts over at the next sync, and its held call is answered', async () => {
    const e = (epoch = await startEpoch(18, 3))
    expect(await call(e)).toBe('config')
    // +400 s: bad_msg 16 sets our clock to its msg_id's whole second, a fraction behind the server
    e.server.skewS = 400
    expect(await call(e)).toBe('config')
    // +431 s: the answers' skew moves our clock on by 31 s, to a whole second again
    e.server.skewS = 431
    expect(await call(e)).toBe('config')
    // back to +400 s: our ids are 31 s ahead, bad_msg 17's own id (still ahead) is no clock; the
    // handshake's server_time + 1 s leaves our last id exactly at the edge of our window
    e.server.skewS = 400
    expect(await call(e, 60_000)).toBe('config')
    expect(await call(e)).toBe('config')
  })

  it('enc §6 (32/33): the rest of a packet whose bad_msg resets the session belongs to the old session, not the new one', async () => {
    const e = (epoch = await startEpoch(18, 1))
    expect(await call(e)).toBe('config')
    e.server.hooks = {
      messages: once((ms: OutMessage[]) => {
        const answer = ms.find((m) => !(m.body instanceof Uint8Array) && m.body._ === 'rpc_result')
        if (!answer) return undefined
        const req = (answer.body as TlObject & { _: 'rpc_result' }).req_msg_id
        const notice: TlObject = { _: 'bad_msg_notification', bad_msg_id: req, bad_msg_seqno: 0, error_code: 32 }
        const info: TlObject = { _: 'msg_new_detailed_info', answer_msg_id: 1n, bytes: 4, status: 0 }
        return [{ body: notice, content: false, answer: true }, { body: info, content: false, answer: false }, ...ms]
      }),
    }
    // the old session's answer still answers the call (the outbox knows it by msg_id)
    expect(await call(e)).toBe('config')
    e.server.hooks = {}
    // the new session's answers come to reuse the ids the old session's carried (the server's
    // clock has not moved): they are new messages of the new session all the same
    for (let i = 0; i < 6; i++) expect(await call(e)).toBe('config')
  })

  it('issue #18: a packet dropped for an implausible time brings a handshake, whose server_time heals a clock a hostile handshake set days off', async () => {
    const e = (epoch = await startEpoch(18, 2))
    expect(await call(e)).toBe('config')
    // the next temp key's handshake says four days ago (plausible for a handshake: it is the good sync)
    e.server.hooks = { handshake: { inner: once((inner) => ({ ...inner, server_time: inner.server_time - 4 * 86_400 })) } }
    const rotated = settleWithin(e, e.engine.rotateNow(), 60_000)
    expect(await rotated).toMatchObject({ ok: true })
    e.server.hooks = {}
    // the honest server's bad_msg 16 now says four days later: not taken, but a new handshake fixes it
    expect(await call(e, 120_000)).toBe('config')
    const [s] = await e.engine.states()
    expect(Math.abs(s?.serverTimeOffset ?? Infinity)).toBeLessThan(60)
  })
})

