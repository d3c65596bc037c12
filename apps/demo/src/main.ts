import { defaultSharing, type DcStateView } from '@pfs-web/client'
import { ControlClient } from '@pfs-web/control-client'
import { createDemoClient, sharingFrom } from './client-adapter.ts'
import { createControls } from './controls.ts'
import { createConnectionList } from './connections.ts'
import { createDcCard, type DcCard } from './dc-card.ts'
import { EMPTY_HISTORY, nextHistory, type DcHistory } from './dc-history.ts'
import { loadDemoConfig } from './demo-config.ts'
import { h, setText } from './dom.ts'
import { bytes, errorText } from './format.ts'
import { fileRoundTrip } from './file-roundtrip.ts'
import { createKeyChart } from './key-chart.ts'
import { NO_LIVES, foldKeyEvent } from './key-lives.ts'
import { statsLines } from './stats-lines.ts'
import { createTimeline } from './timeline.ts'
import { createTraffic } from './traffic.ts'

const STATS_EVERY_MS = 2000
const TRAFFIC_EVERY_MS = 500

function idleState(dcId: number): DcStateView {
  return {
    dcId, status: 'idle', waitReason: null, permKeyId: null, tempKeyId: null, nextTempKeyId: null,
    bound: false, expiresAt: null, nextRotationAt: null, serverTimeOffset: 0,
    handshakes: { perm: 0, temp: 0 }, binds: 0, rotations: 0, rebinds: 0,
    last404: null, stormBackoffUntil: null, lastError: null, pendingCalls: 0,
  }
}

async function main(app: HTMLElement): Promise<void> {
  const config = await loadDemoConfig()
  const sharing = sharingFrom(location.search)
  const client = createDemoClient(config, sharing)
  // The server's control port, same-origin through the dev server's proxy.
  const control = new ControlClient(config.controlBase)
  let dcId = config.defaultDcId

  const serverStatus = h('span', { class: 'pill', 'data-testid': 'server-status', 'data-tone': 'muted' }, 'server …')
  const header = h(
    'header',
    { class: 'topbar' },
    h('div', { class: 'brand' }, h('strong', {}, 'pfs-web'), h('span', {}, 'PFS session monitor')),
    // Open the page in a second tab: with a shared engine both show the same key ids and counters.
    h('span', { class: 'pill', 'data-testid': 'sharing', 'data-tone': 'muted', title: 'how the tabs of this page share one engine' }, `engine: ${sharing ?? defaultSharing()}`),
    h('div', { class: 'server' }, h('span', { class: 'mono', 'data-testid': 'server-url' }, [...new Set(config.dcs.map((d) => d.url))].join(' · ')), serverStatus),
  )

  const cards = new Map<number, DcCard>()
  const latest = new Map<number, DcStateView>()
  const histories = new Map<number, DcHistory>()
  const cardsEl = h('div', { class: 'dc-cards', 'data-testid': 'dc-cards' })
  const cardFor = (id: number): DcCard => {
    let card = cards.get(id)
    if (!card) {
      card = createDcCard(id)
      cards.set(id, card)
      const next = [...cards.entries()].filter(([other]) => other > id).sort(([a], [b]) => a - b)[0]
      cardsEl.insertBefore(card.el, next ? next[1].el : null)
    }
    return card
  }
  const showState = (s: DcStateView) => {
    const now = Date.now()
    const history = nextHistory(histories.get(s.dcId) ?? EMPTY_HISTORY, s, now)
    latest.set(s.dcId, s)
    histories.set(s.dcId, history)
    cardFor(s.dcId).update(s, history, now)
  }
  /** The DC's state as the worker has it now, not as the last subscription push left it. */
  const freshState = async (id: number): Promise<DcStateView | undefined> => (await client.states()).find((s) => s.dcId === id && s.connection === undefined)
  // The card the client actions target is outlined.
  const markSelected = () => cards.forEach((card, id) => card.el.classList.toggle('selected', id === dcId))
  showState(idleState(dcId))
  markSelected()

  const timeline = createTimeline()
  const connections = createConnectionList()
  const chart = createKeyChart()
  let lives = NO_LIVES
  const traffic = createTraffic(() => client.getConfig(dcId), TRAFFIC_EVERY_MS, (s) => controls.showTraffic(s))
  const controls = createControls({
    dcIds: config.dcs.map((d) => d.id),
    initialDcId: dcId,
    selectDc(id) {
      dcId = id
      if (!latest.has(id)) showState(idleState(id))
      markSelected()
    },
    async connect() {
      // The call's own answer: a subscription push may still be on its way.
      const s = await client.connect(dcId)
      return s.bound ? `bound · temp ${s.tempKeyId}` : `status ${s.status}`
    },
    async getConfig() {
      const c = await client.getConfig(dcId)
      return `this_dc ${c.thisDc} · ${c.dcOptions.length} dc options · test ${c.testMode}`
    },
    async fileRoundTrip(progress) {
      const r = await fileRoundTrip(client, dcId, (p) => progress((p.phase === 'upload' ? 0 : 0.5) + p.done / p.total / 2, `${p.phase} ${bytes(p.done)}`))
      if (!r.match) throw new Error('downloaded bytes differ from uploaded bytes')
      return `SHA-256 match · up ${Math.round(r.uploadMs)} ms · down ${Math.round(r.downloadMs)} ms`
    },
    async rotateNow() {
      await client.rotateNow(dcId)
      return `temp ${(await freshState(dcId))?.tempKeyId ?? '—'}`
    },
    toggleTraffic: () => (traffic.stats().running ? traffic.stop() : traffic.start()),
    async fault(f) {
      await control.fault(f.action)
      return `${f.label} — expect: ${f.expect}`
    },
  })
  controls.showTraffic(traffic.stats())

  // One grid: two columns on wide screens, one column (cards, controls, chart, …) on narrow.
  app.replaceChildren(header, h('main', { class: 'layout' }, cardsEl, controls.el, chart.el, connections.el, controls.statsEl, timeline.el))
  chart.render(lives, Date.now())

  // The cards and the chart show each DC's main connection; the connection list shows every
  // connection, pool members included (issue #15).
  await client.subscribe((states) => {
    states.filter((s) => s.connection === undefined).forEach(showState)
    connections.show(states)
  })
  await client.onKeyEvent((e) => {
    if (e.connection !== undefined) return
    const now = Date.now()
    timeline.add(e, now)
    lives = foldKeyEvent(lives, e, now)
    chart.render(lives, now)
  })

  // Countdowns and the chart's "now" move even when no state or event arrives.
  setInterval(() => {
    const now = Date.now()
    latest.forEach((s) => cardFor(s.dcId).update(s, histories.get(s.dcId) ?? EMPTY_HISTORY, now))
    chart.render(lives, now)
    connections.tick()
  }, 1000)
  window.addEventListener('resize', () => chart.render(lives, Date.now()))

  const pollServer = async () => {
    try {
      controls.showStats(statsLines(await control.stats()))
      setText(serverStatus, 'server up')
      serverStatus.dataset.tone = 'ok'
    } catch (err) {
      controls.showStats(new Error(errorText(err)))
      setText(serverStatus, 'server unreachable')
      serverStatus.dataset.tone = 'bad'
    }
  }
  void pollServer()
  setInterval(() => void pollServer(), STATS_EVERY_MS)
  window.addEventListener('beforeunload', () => void client.close())
}

const app = document.getElementById('app')
if (app) {
  main(app).catch((err: unknown) => {
    app.replaceChildren(h('div', { class: 'fatal', 'data-testid': 'fatal-error' }, `Demo failed to start: ${errorText(err)}`))
  })
}
