import type { ServerStats } from '@pfs-web/control-client'

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)
const pairs = (counts: Record<string, number>): string =>
  Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join(', ') || '0'

/** GET /stats as a few labelled lines; key ids are not shown (the card has the client's). */
export function statsLines(s: ServerStats): [string, string][] {
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
