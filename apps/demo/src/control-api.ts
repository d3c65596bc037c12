import type { FaultAction, ServerStats } from '@pfs-web/server'
import type { DemoConfig } from './demo-config.ts'

// The conformance server's control API, reached same-origin through the Vite proxy.
// Faults only change the server; the page then watches the client recover.

export type FaultName =
  | 'forget-temp-key'
  | 'storm-404'
  | 'bind-error'
  | 'clock-skew'
  | 'revoke-perm-key'
  | 'restart-server'
  | 'clear'

export interface FaultSpec {
  name: FaultName
  label: string
  action: FaultAction
  /** What the client should do about it; shown as a tooltip and after injecting. */
  expect: string
}

export const FAULTS: readonly FaultSpec[] = [
  { name: 'forget-temp-key', label: 'Forget temp key', action: { type: 'forget-temp-key' }, expect: 'next call gets −404 → new temp key, bind, resend' },
  { name: 'storm-404', label: '−404 storm 5 s', action: { type: 'storm-404', seconds: 5 }, expect: 'every packet −404 → storm backoff, then recover' },
  { name: 'bind-error', label: 'Bind error', action: { type: 'bind-error', error: 'TEMP_AUTH_KEY_ALREADY_BOUND', count: 1 }, expect: 'next bind fails (press Rotate now) → new temp key, bind again' },
  { name: 'clock-skew', label: 'Clock skew +120 s', action: { type: 'clock-offset', seconds: 120 }, expect: 'server clock jumps ahead: replies carry msg_ids 120 s in the future → client must resync its time offset' },
  { name: 'revoke-perm-key', label: 'Revoke perm key', action: { type: 'forget-perm-key' }, expect: 'next bind gets ENCRYPTED_MESSAGE_INVALID; perm key > 60 s old → both keys dropped, DC logged out' },
  { name: 'restart-server', label: 'Restart server', action: { type: 'restart' }, expect: 'temp keys lost, perm keys kept → −404, rebind' },
  { name: 'clear', label: 'Clear faults', action: { type: 'clear' }, expect: 'server back to normal' },
]

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`)
  return res
}

export async function injectFault(config: DemoConfig, fault: FaultSpec): Promise<void> {
  const res = await fetch(`${config.controlBase}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault.action),
  })
  await expectOk(res, `fault ${fault.name}`)
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)
const pairs = (counts: Record<string, number>): string =>
  Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join(', ') || '0'

/** GET /stats as a few labelled lines; key ids are not shown (the card has the client's). */
export async function fetchStats(config: DemoConfig): Promise<[string, string][]> {
  const res = await expectOk(await fetch(`${config.controlBase}/stats`, { cache: 'no-store' }), 'stats')
  const s = (await res.json()) as ServerStats
  const temp = s.keys.filter((k) => k.kind === 'temp')
  return [
    ['connections', `${s.connections.open} open · ${s.connections.total} total`],
    ['keys', `${s.keys.length - temp.length} perm · ${temp.length} temp (${temp.filter((k) => k.boundTo !== null).length} bound)`],
    ['handshakes', `${sum(s.handshakes.perm)} perm · ${sum(s.handshakes.temp)} temp`],
    ['binds', `${s.binds.ok} ok · ${sum(s.binds.failed)} failed`],
    ['transport errors', pairs(s.transportErrors)],
    ['bad_msg', pairs(s.badMsgNotifications)],
    ['api calls', String(sum(s.apiCalls))],
  ]
}
