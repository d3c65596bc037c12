import type { KeyEvent } from '@pfs-web/client'
import { h, setText } from './dom.ts'
import { clockTime } from './format.ts'

type KeyEventKind = KeyEvent['kind']

// Key events, newest first, colour-coded by kind, with a per-kind tally on top so a
// person sees "3 rotations, 1 −404, 1 recovered" without reading the rows. Rows are in
// arrival order and show the page's clock: an event's `at` is server time as the worker
// estimated it then, and after a clock skew those estimates jump, so they would not read
// in order (the server time stays in the row's tooltip).

const MAX_ROWS = 300

const KIND_LABEL: Record<KeyEventKind, string> = {
  'handshake-started': 'handshake',
  created: 'created',
  bound: 'bound',
  rotated: 'rotated',
  dropped: 'dropped',
  'not-found-404': '−404',
  recovered: 'recovered',
  'logged-out': 'logged out',
  'flood-wait': 'flood wait',
  reconnect: 'reconnect',
  'update-gap': 'update gap',
}

export interface Timeline {
  el: HTMLElement
  /** `ms`: when the page received the event (Date.now()). */
  add(event: KeyEvent, ms: number): void
}

export function createTimeline(): Timeline {
  const counts = new Map<KeyEventKind, HTMLElement>()
  const tally = h('div', { class: 'tally' })
  for (const kind of Object.keys(KIND_LABEL) as KeyEventKind[]) {
    const n = h('span', { class: 'tally-n', 'data-testid': `timeline-count-${kind}` }, '0')
    counts.set(kind, n)
    tally.append(h('span', { class: 'tally-item', 'data-kind': kind }, h('span', { class: 'dot' }), KIND_LABEL[kind], n))
  }
  const empty = h('li', { class: 'timeline-empty' }, 'No key events yet — press Connect.')
  const list = h('ol', { class: 'timeline-list', 'data-testid': 'timeline-list' }, empty)
  const el = h(
    'section',
    { class: 'card timeline', 'data-testid': 'timeline' },
    h('header', { class: 'card-head' }, h('h2', {}, 'Key events'), tally),
    list,
  )

  return {
    el,
    add(e, ms) {
      empty.remove()
      const row = h(
        'li',
        {
          class: 'timeline-row', 'data-testid': 'timeline-row', 'data-kind': e.kind, 'data-key-kind': e.keyKind,
          'data-ms': String(ms), title: `server time ${clockTime(e.at)}`,
        },
        h('span', { class: 'time mono' }, clockTime(ms / 1000)),
        h('span', { class: 'dc' }, `DC ${e.dcId}`),
        h('span', { class: 'kind' }, KIND_LABEL[e.kind]),
        h('span', { class: 'key-kind' }, e.keyKind),
        h('span', { class: 'mono key-id' }, e.keyId ?? '—'),
        h('span', { class: 'detail' }, e.detail ?? ''),
      )
      list.prepend(row)
      while (list.children.length > MAX_ROWS) list.lastElementChild?.remove()
      const n = counts.get(e.kind)
      if (n) setText(n, String(Number(n.textContent) + 1))
    },
  }
}
