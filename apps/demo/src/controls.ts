import { h, setText } from './dom.ts'
import { FAULTS, type FaultSpec } from './fault-menu.ts'
import { errorText } from './format.ts'
import type { TrafficStats } from './traffic.ts'

// The side panel: client actions, background calls, server faults. Each action shows
// its outcome in a result line next to it, marked data-state=running|ok|error.

export interface ControlActions {
  /** DCs the actions can target, and the one they start on. */
  dcIds: number[]
  initialDcId: number
  selectDc(dcId: number): void
  connect(): Promise<string>
  getConfig(): Promise<string>
  fileRoundTrip(progress: (fraction: number, label: string) => void): Promise<string>
  rotateNow(): Promise<string>
  toggleTraffic(): void
  fault(fault: FaultSpec): Promise<string>
}

export interface Controls {
  el: HTMLElement
  /** The server's counters; placed by the page next to the DC cards. */
  statsEl: HTMLElement
  showTraffic(s: TrafficStats): void
  showStats(entries: [string, string][] | Error): void
}

function button(testid: string, label: string, title = ''): HTMLButtonElement {
  return h('button', { type: 'button', 'data-testid': testid, ...(title ? { title } : {}) }, label)
}

function result(testid: string): HTMLElement {
  return h('div', { class: 'result', 'data-testid': testid, 'data-state': 'idle' })
}

async function run(btn: HTMLButtonElement, out: HTMLElement, action: () => Promise<string>): Promise<void> {
  btn.disabled = true
  out.dataset.state = 'running'
  setText(out, 'running…')
  const started = performance.now()
  try {
    const text = await action()
    out.dataset.state = 'ok'
    setText(out, `${text} · ${Math.round(performance.now() - started)} ms`)
  } catch (err) {
    out.dataset.state = 'error'
    setText(out, errorText(err))
  } finally {
    btn.disabled = false
  }
}

function actionRow(testid: string, label: string, action: () => Promise<string>, extra?: HTMLElement): HTMLElement {
  const btn = button(`btn-${testid}`, label)
  const out = result(`result-${testid}`)
  btn.addEventListener('click', () => void run(btn, out, action))
  return h('div', { class: 'action' }, btn, h('div', { class: 'action-out' }, extra ?? null, out))
}

export function createControls(actions: ControlActions): Controls {
  const bar = h('div', { class: 'bar-fill' })
  const progress = h('div', { class: 'bar', 'data-testid': 'file-progress', 'data-value': '0' }, bar)
  const setProgress = (fraction: number, label: string) => {
    bar.style.width = `${Math.round(fraction * 100)}%`
    progress.dataset.value = fraction.toFixed(2)
    progress.title = label
  }

  const dcSelect = h('select', { 'data-testid': 'dc-select', 'aria-label': 'target DC' })
  for (const id of actions.dcIds) dcSelect.append(h('option', { value: String(id) }, `DC ${id}`))
  dcSelect.value = String(actions.initialDcId)
  dcSelect.addEventListener('change', () => actions.selectDc(Number(dcSelect.value)))

  const client = h(
    'section',
    { class: 'card panel' },
    h('div', { class: 'panel-head' }, h('h2', {}, 'Client'), h('span', { class: 'hint' }, 'acts on'), dcSelect),
    actionRow('connect', 'Connect', actions.connect),
    actionRow('get-config', 'help.getConfig', actions.getConfig),
    actionRow('file-roundtrip', 'File 1 MiB ⇅', () => actions.fileRoundTrip(setProgress), progress),
    actionRow('rotate-now', 'Rotate now', actions.rotateNow),
  )

  const trafficBtn = button('btn-traffic', 'Start')
  trafficBtn.addEventListener('click', () => actions.toggleTraffic())
  const stat = (testid: string, label: string) =>
    h('div', { class: 'counter' }, h('span', { class: 'value', 'data-testid': testid }, '0'), h('span', { class: 'label' }, label))
  const trafficErr = h('div', { class: 'result', 'data-testid': 'traffic-last-error', 'data-state': 'idle' })
  const traffic = h(
    'section',
    { class: 'card panel' },
    h('div', { class: 'panel-head' }, h('h2', {}, 'Background calls'), h('span', { class: 'hint' }, 'getConfig / 500 ms'), trafficBtn),
    h('div', { class: 'counters small' }, stat('traffic-sent', 'sent'), stat('traffic-ok', 'ok'), stat('traffic-failed', 'lost'), stat('traffic-latency', 'last ms')),
    trafficErr,
  )

  const faultOut = result('result-fault')
  const faultButton = (f: FaultSpec) => {
    const btn = button(`fault-${f.name}`, f.label, f.expect)
    btn.addEventListener('click', () => void run(btn, faultOut, () => actions.fault(f)))
    return btn
  }
  const clear = FAULTS.find((f) => f.name === 'clear')
  const faultButtons = FAULTS.filter((f) => f !== clear).map((f) => {
    const btn = faultButton(f)
    btn.classList.add('danger')
    return btn
  })
  const faults = h(
    'section',
    { class: 'card panel' },
    h('div', { class: 'panel-head' }, h('h2', {}, 'Server faults'), h('span', { class: 'hint' }), clear ? faultButton(clear) : null),
    h('div', { class: 'fault-grid' }, ...faultButtons),
    faultOut,
  )

  const statsList = h('dl', { class: 'stats', 'data-testid': 'server-stats' })
  const stats = h('section', { class: 'card server-strip' }, h('h2', {}, 'Server view'), statsList)

  return {
    el: h('aside', { class: 'side' }, client, traffic, faults),
    statsEl: stats,
    showTraffic(s) {
      setText(trafficBtn, s.running ? 'Stop' : 'Start')
      trafficBtn.dataset.running = String(s.running)
      for (const [id, v] of [['traffic-sent', s.sent], ['traffic-ok', s.ok], ['traffic-failed', s.failed], ['traffic-latency', s.lastMs ?? '—']] as const) {
        const node = traffic.querySelector(`[data-testid="${id}"]`)
        if (node) setText(node, String(v))
      }
      traffic.querySelector('[data-testid="traffic-failed"]')?.setAttribute('data-tone', s.failed > 0 ? 'bad' : '')
      trafficErr.dataset.state = s.lastError ? 'error' : 'idle'
      setText(trafficErr, s.lastError ? `last loss: ${s.lastError}` : '')
    },
    showStats(entries) {
      if (entries instanceof Error) {
        statsList.replaceChildren(h('div', { class: 'result', 'data-state': 'error' }, entries.message))
        return
      }
      statsList.replaceChildren(...entries.map(([k, v]) => h('div', { class: 'stat' }, h('dt', {}, k), h('dd', {}, v))))
    },
  }
}
