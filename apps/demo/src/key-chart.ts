import { h } from './dom.ts'
import { clockTime, duration } from './format.ts'
import type { KeyLife, KeyLives } from './key-lives.ts'

// The key timeline: one row per key on a shared time axis (the page's clock), so a
// person sees PFS at work instead of reading rows. A temp key's bar runs binding →
// bound → in use → retired and ends where it was dropped. A rotation is make-before-break:
// its successor is bound, and takes calls, before the predecessor is dropped; that span,
// both keys bound, is shaded across their rows. A −404 breaks before it makes: the lost
// key is dropped before the new one is bound, so there is no shade, only the −404 mark on
// the lost key and a rebind mark on the key that takes over.

const SVG_NS = 'http://www.w3.org/2000/svg'
const MAX_TEMP_KEYS = 8
const ROW = 26
const BAR = 12
const AXIS = 24
const MIN_SPAN_MS = 4_000
const TICK_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400]

type Phase = 'binding' | 'bound' | 'in-use' | 'retired' | 'perm'

const PHASE_LABEL: Record<Phase, string> = {
  binding: 'binding',
  bound: 'bound, standby',
  'in-use': 'in use',
  retired: 'retired, draining',
  perm: 'perm key',
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | null)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag)
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value))
  for (const child of children) if (child) el.append(child)
  return el
}

/** `340 ms` below a second, else `4m 03s`. */
const spanText = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : duration(ms / 1000))

function title(text: string): SVGTitleElement {
  const t = svg('title', {})
  t.textContent = text
  return t
}

/** [phase, from, to] of one life, `end` standing in for a key still alive. */
function segments(l: KeyLife, end: number): [Phase, number, number][] {
  if (l.keyKind === 'perm') return [['perm', l.createdMs, end]]
  const out: [Phase, number, number][] = []
  const boundOrEnd = l.boundMs ?? l.droppedMs ?? end
  out.push(['binding', l.createdMs, boundOrEnd])
  if (l.boundMs !== null) out.push(['bound', l.boundMs, l.inUseMs ?? l.retiredMs ?? end])
  if (l.inUseMs !== null) out.push(['in-use', l.inUseMs, l.retiredMs ?? end])
  if (l.retiredMs !== null) out.push(['retired', l.retiredMs, end])
  return out.filter(([, from, to]) => to >= from)
}

/** The shown rows: per DC its perm key, then its most recent temp keys, oldest first. */
function rows(lives: readonly KeyLife[]): KeyLife[] {
  const temps = lives.filter((l) => l.keyKind === 'temp').sort((a, b) => a.createdMs - b.createdMs).slice(-MAX_TEMP_KEYS)
  const dcs = [...new Set(lives.map((l) => l.dcId))].sort((a, b) => a - b)
  return dcs.flatMap((dc) => [
    ...lives.filter((l) => l.keyKind === 'perm' && l.dcId === dc),
    ...temps.filter((l) => l.dcId === dc),
  ])
}

function tickStepMs(spanMs: number, plotWidth: number): number {
  const maxTicks = Math.max(2, Math.floor(plotWidth / 90))
  const step = TICK_STEPS_S.find((s) => (spanMs / 1000) / s <= maxTicks) ?? TICK_STEPS_S[TICK_STEPS_S.length - 1]!
  return step * 1000
}

export interface KeyChart {
  el: HTMLElement
  render(lives: KeyLives, nowMs: number): void
}

export function createKeyChart(): KeyChart {
  const plot = h('div', { class: 'key-chart-plot', 'data-testid': 'key-chart-plot' })
  const legend = h(
    'div',
    { class: 'key-chart-legend' },
    ...(Object.keys(PHASE_LABEL) as Phase[]).map((p) => h('span', { class: 'legend-item' }, h('span', { class: `swatch seg-${p}` }), PHASE_LABEL[p])),
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch overlap' }), 'make-before-break'),
    h('span', { class: 'legend-item' }, h('span', { class: 'mark-404' }, '▼'), '−404'),
    h('span', { class: 'legend-item' }, h('span', { class: 'mark-rebind' }, '●'), 'rebind'),
  )
  const el = h(
    'section',
    { class: 'card key-chart', 'data-testid': 'key-chart' },
    h('header', { class: 'card-head' }, h('h2', {}, 'Key timeline')),
    plot,
    legend,
  )

  return {
    el,
    render({ lives }, nowMs) {
      const shown = rows(lives)
      if (shown.length === 0) {
        plot.replaceChildren(h('div', { class: 'timeline-empty' }, 'No keys yet — press Connect.'))
        return
      }
      const width = Math.max(280, plot.clientWidth || 800)
      const label = width < 520 ? 84 : 150
      const right = 12
      const plotWidth = width - label - right
      const t0 = Math.min(...shown.map((l) => l.createdMs))
      const span = Math.max(MIN_SPAN_MS, nowMs - t0)
      const x = (ms: number): number => label + ((ms - t0) / span) * plotWidth
      const height = AXIS + shown.length * ROW + 4
      const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'key timeline' })

      const step = tickStepMs(span, plotWidth)
      for (let t = Math.ceil(t0 / step) * step; t <= t0 + span; t += step) {
        root.append(svg('line', { class: 'tick', x1: x(t), x2: x(t), y1: AXIS - 4, y2: height }))
        // A label needs ~26 px either side of its tick.
        if (x(t) - 26 >= label && x(t) + 26 <= width) {
          root.append(svg('text', { class: 'tick-label', x: x(t), y: 12, 'text-anchor': 'middle' }, document.createTextNode(clockTime(t / 1000))))
        }
      }

      shown.forEach((l, i) => {
        const y = AXIS + i * ROW
        const end = l.droppedMs ?? nowMs
        const g = svg('g', {
          class: 'key-life', 'data-testid': 'key-life', 'data-dc': l.dcId, 'data-key-id': l.keyId, 'data-key-kind': l.keyKind,
          'data-created-ms': l.createdMs, 'data-bound-ms': l.boundMs ?? '', 'data-in-use-ms': l.inUseMs ?? '',
          'data-retired-ms': l.retiredMs ?? '', 'data-dropped-ms': l.droppedMs ?? '',
        })
        const name = width < 520 ? `${l.keyKind} ${l.keyId.slice(0, 6)}` : `DC ${l.dcId} ${l.keyKind} ${l.keyId.slice(0, 8)}`
        g.append(svg('text', { class: 'row-label', x: 4, y: y + ROW / 2 + 4 }, document.createTextNode(name), title(`DC ${l.dcId} ${l.keyKind} key ${l.keyId}`)))
        for (const [phase, from, to] of segments(l, end)) {
          const x1 = x(from)
          g.append(svg('rect', {
            class: `seg seg-${phase}`, 'data-phase': phase, x: x1, y: y + (ROW - BAR) / 2, width: Math.max(2, x(to) - x1), height: BAR, rx: 2,
          }, title(`${PHASE_LABEL[phase]} · ${clockTime(from / 1000)}–${clockTime(to / 1000)} (${spanText(to - from)})`)))
        }
        if (l.droppedMs !== null) g.append(svg('line', { class: 'drop', x1: x(l.droppedMs), x2: x(l.droppedMs), y1: y + 5, y2: y + ROW - 5 }))
        for (const m of l.marks) {
          const mx = x(m.ms)
          const mark = m.kind === '404'
            ? svg('path', { class: 'mark-404', d: `M${mx - 5},${y + 3} L${mx + 5},${y + 3} L${mx},${y + 11} Z` })
            : svg('circle', { class: 'mark-rebind', cx: mx, cy: y + ROW / 2, r: 4 })
          mark.setAttribute('data-testid', 'key-mark')
          mark.setAttribute('data-kind', m.kind)
          mark.append(title(`${m.kind === '404' ? '−404' : 'rebind'} · ${clockTime(m.ms / 1000)}`))
          g.append(mark)
        }
        root.append(g)
      })

      // Make-before-break: a rotation's successor bound before its predecessor was dropped.
      shown.forEach((next, i) => {
        if (next.keyKind !== 'temp' || next.boundMs === null || next.inUseMs === null) return
        const prev = shown.find((l) => l.dcId === next.dcId && l.keyKind === 'temp' && l.retiredMs === next.inUseMs && l !== next)
        if (!prev || next.marks.some((m) => m.kind === 'rebind')) return
        const until = prev.droppedMs ?? nowMs
        if (next.boundMs >= until) return
        const j = shown.indexOf(prev)
        const [top, bottom] = j < i ? [j, i] : [i, j]
        root.prepend(svg('rect', {
          class: 'overlap', 'data-testid': 'key-overlap', 'data-from-ms': next.boundMs, 'data-to-ms': until,
          x: x(next.boundMs) - 1, y: AXIS + top * ROW + 1, width: Math.max(4, x(until) - x(next.boundMs) + 2), height: (bottom - top + 1) * ROW - 2,
        }, title(`make-before-break · ${spanText(until - next.boundMs)} with both keys bound`)))
      })
      plot.replaceChildren(root)
    },
  }
}
