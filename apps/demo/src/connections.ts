import type { DcStateView } from '@pfs-web/client'
import { h, setText } from './dom.ts'
import { relative } from './format.ts'

/**
 * Every connection of every DC (issue #15): main and the upload/download/media pool
 * members, each with its own temp key bound to the DC's one perm key. The cards show
 * main only; this list is where a pool's key and its expiry are seen.
 */
export interface ConnectionList {
  el: HTMLElement
  show(states: readonly DcStateView[]): void
  /** Moves the expiry countdowns on; each view's server time comes from its own offset. */
  tick(): void
}

const nameOf = (s: DcStateView): string => s.connection ?? 'main'

export function createConnectionList(): ConnectionList {
  const body = h('tbody', {})
  const el = h(
    'section',
    { class: 'card connections', 'data-testid': 'connections' },
    h('header', { class: 'card-head' }, h('h2', {}, 'Connections')),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ...['DC', 'connection', 'status', 'temp key', 'expires', 'rotations'].map((t) => h('th', {}, t)))), body)),
  )
  let last: readonly DcStateView[] = []

  const render = (): void => {
    const rows = [...last].sort((a, b) => a.dcId - b.dcId || nameOf(a).localeCompare(nameOf(b)))
    const nowMs = Date.now()
    body.replaceChildren(
      ...rows.map((s) => {
        const serverNowS = nowMs / 1000 + s.serverTimeOffset
        const row = h('tr', { 'data-testid': 'connection-row', 'data-connection': `${s.dcId}:${nameOf(s)}` })
        for (const text of [String(s.dcId), nameOf(s), s.status, s.tempKeyId ?? '—', s.expiresAt === null ? '—' : relative(s.expiresAt, serverNowS), String(s.rotations)]) {
          const cell = h('td', { class: 'mono' })
          setText(cell, text)
          row.append(cell)
        }
        return row
      }),
    )
  }

  return {
    el,
    show(states) {
      last = states
      render()
    },
    tick: render,
  }
}
