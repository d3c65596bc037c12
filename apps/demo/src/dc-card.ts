import type { DcStateView } from '@pfs-web/client'
import type { DcHistory } from './dc-history.ts'
import { h, setText } from './dom.ts'
import { clockTime, dateTime, duration, errorText, relative, signedSeconds } from './format.ts'

// One card per DC: which keys are in use, when they expire (in server time), and how
// the session has been coping. Every value cell has a stable data-testid.

type Tone = 'ok' | 'warn' | 'bad' | 'muted' | ''

/** What a field reads: the state, server now (s), the page's history, local now (ms). */
interface FieldInput {
  s: DcStateView
  now: number
  history: DcHistory
  localMs: number
}

interface Field {
  testid: string
  label: string
  text(i: FieldInput): string
  tone?(i: FieldInput): Tone
}

const DASH = '—'

const KEY_FIELDS: Field[] = [
  { testid: 'perm-key-id', label: 'Perm key', text: ({ s }) => s.permKeyId ?? DASH },
  { testid: 'temp-key-id', label: 'Temp key', text: ({ s }) => s.tempKeyId ?? DASH },
  { testid: 'next-temp-key-id', label: 'Next temp key', text: ({ s }) => s.nextTempKeyId ?? DASH, tone: ({ s }) => (s.nextTempKeyId ? '' : 'muted') },
]

const TIME_FIELDS: Field[] = [
  { testid: 'expires-at', label: 'Temp key expires', text: ({ s }) => (s.expiresAt === null ? DASH : dateTime(s.expiresAt)) },
  {
    testid: 'expires-in', label: '',
    text: ({ s, now }) => (s.expiresAt === null ? '' : relative(s.expiresAt, now)),
    tone: ({ s, now }) => (s.expiresAt !== null && s.expiresAt - now < 60 ? 'warn' : 'muted'),
  },
  { testid: 'next-rotation-at', label: 'Next rotation', text: ({ s }) => (s.nextRotationAt === null ? DASH : dateTime(s.nextRotationAt)) },
  { testid: 'next-rotation-in', label: '', text: ({ s, now }) => (s.nextRotationAt === null ? '' : relative(s.nextRotationAt, now)), tone: () => 'muted' },
  { testid: 'time-offset', label: 'Server time offset', text: ({ s }) => signedSeconds(s.serverTimeOffset) },
  { testid: 'server-time', label: '', text: ({ now }) => `server ${clockTime(now)}`, tone: () => 'muted' },
]

const COUNTERS: Field[] = [
  { testid: 'handshakes-perm', label: 'perm handshakes', text: ({ s }) => String(s.handshakes.perm) },
  { testid: 'handshakes-temp', label: 'temp handshakes', text: ({ s }) => String(s.handshakes.temp) },
  { testid: 'binds', label: 'binds', text: ({ s }) => String(s.binds) },
  { testid: 'rotations', label: 'rotations', text: ({ s }) => String(s.rotations) },
  { testid: 'rebinds', label: 'rebinds', text: ({ s }) => String(s.rebinds), tone: ({ s }) => (s.rebinds > 0 ? 'warn' : '') },
]

/** How long ago the page saw something, on its own clock (immune to offset changes). */
const ago = (seenMs: number | null, localMs: number): string => (seenMs === null ? '' : `${duration((localMs - seenMs) / 1000)} ago`)

const HEALTH_FIELDS: Field[] = [
  {
    testid: 'storm-backoff', label: 'Storm backoff',
    text: ({ s, now }) => (s.stormBackoffUntil === null || s.stormBackoffUntil <= now ? 'none' : `until ${clockTime(s.stormBackoffUntil)} (${duration(s.stormBackoffUntil - now)})`),
    tone: ({ s, now }) => (s.stormBackoffUntil !== null && s.stormBackoffUntil > now ? 'warn' : 'muted'),
  },
  {
    testid: 'last-404', label: 'Last −404',
    text: ({ history, localMs }) => (history.last404 ? `${history.last404.cause} · ${ago(history.last404SeenMs, localMs)}` : 'none'),
    tone: ({ history }) => (history.last404 ? 'warn' : 'muted'),
  },
  {
    // The engine keeps its last error; once the DC is ready and bound again it is history.
    testid: 'last-error', label: 'Last error',
    text: ({ history, localMs }) => {
      if (!history.error) return 'none'
      const text = errorText(history.error)
      return history.recoveredMs === null ? text : `recovered ${ago(history.recoveredMs, localMs)} · ${text}`
    },
    tone: ({ history }) => (history.error === null || history.recoveredMs !== null ? 'muted' : 'bad'),
  },
]

export interface DcCard {
  el: HTMLElement
  update(state: DcStateView, history: DcHistory, localMs: number): void
}

function statusTone(s: DcStateView): Tone {
  if (s.status === 'ready') return 'ok'
  if (s.status === 'backoff' || s.status === 'logged-out') return 'bad'
  if (s.status === 'idle' || s.status === 'closed') return 'muted'
  return 'warn'
}

export function createDcCard(dcId: number): DcCard {
  const cells = new Map<Field, HTMLElement>()
  const cell = (f: Field, cls: string) => {
    const el = h('span', { class: cls, 'data-testid': f.testid })
    cells.set(f, el)
    return el
  }
  const status = h('span', { class: 'pill', 'data-testid': 'dc-status' })
  const waitReason = h('span', { class: 'wait-reason', 'data-testid': 'wait-reason' })
  const bound = h('span', { class: 'badge', 'data-testid': 'bound' })

  const keyRows = KEY_FIELDS.map((f) =>
    h('div', { class: 'key-row' }, h('span', { class: 'label' }, f.label), cell(f, 'mono key-id'), f.testid === 'temp-key-id' ? bound : null),
  )
  const timeTiles: HTMLElement[] = []
  for (let i = 0; i < TIME_FIELDS.length; i += 2) {
    const [main, sub] = [TIME_FIELDS[i]!, TIME_FIELDS[i + 1]!]
    timeTiles.push(h('div', { class: 'tile' }, h('span', { class: 'label' }, main.label), cell(main, 'value mono'), cell(sub, 'sub')))
  }
  const counters = COUNTERS.map((f) => h('div', { class: 'counter' }, cell(f, 'value'), h('span', { class: 'label' }, f.label)))
  const health = HEALTH_FIELDS.map((f) => h('div', { class: 'health-row' }, h('span', { class: 'label' }, f.label), cell(f, 'value')))

  const el = h(
    'section',
    { class: 'card dc-card', 'data-testid': `dc-card-${dcId}` },
    h('header', { class: 'card-head' }, h('h2', {}, `DC ${dcId}`), status, waitReason),
    h('div', { class: 'dc-top' }, h('div', { class: 'keys' }, ...keyRows), h('div', { class: 'health' }, ...health)),
    h('div', { class: 'tiles' }, ...timeTiles),
    h('div', { class: 'counters' }, ...counters),
  )

  return {
    el,
    update(s, history, localMs) {
      const now = localMs / 1000 + s.serverTimeOffset
      setText(status, s.status)
      status.dataset.tone = statusTone(s)
      el.dataset.status = s.status
      const hint = s.status === 'logged-out' ? 'logged out — Connect makes a new key' : ''
      setText(waitReason, s.status === 'backoff' && s.waitReason ? s.waitReason : hint)
      setText(bound, s.tempKeyId === null ? '' : s.bound ? 'bound' : 'unbound')
      bound.dataset.tone = s.bound ? 'ok' : 'warn'
      bound.hidden = s.tempKeyId === null
      const input: FieldInput = { s, now, history, localMs }
      for (const [f, node] of cells) {
        setText(node, f.text(input))
        node.dataset.tone = f.tone?.(input) ?? ''
      }
    },
  }
}
