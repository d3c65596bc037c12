import { expect, type Locator, type Page, type TestInfo } from '@playwright/test'

const KEY_ID = /^[0-9a-f]{16}$/

export interface TrafficCounts {
  sent: number
  ok: number
  failed: number
}

/** The demo page as the specs drive it: through data-testid only. */
export class DemoPage {
  private constructor(
    readonly page: Page,
    readonly dcId: number,
  ) {}

  /** `path`: e.g. '/?sharing=none' for an engine in the page's own dedicated worker. */
  static async open(page: Page, path = '/'): Promise<DemoPage> {
    const config = (await (await page.request.get('/demo-config.json')).json()) as { defaultDcId: number }
    await page.goto(path)
    const demo = new DemoPage(page, config.defaultDcId)
    await expect(demo.card).toBeVisible()
    return demo
  }

  /** Points the page's client actions at another DC; the result reads that DC's card. */
  async onDc(dcId: number): Promise<DemoPage> {
    await this.page.getByTestId('dc-select').selectOption(String(dcId))
    const other = new DemoPage(this.page, dcId)
    await expect(other.card).toBeVisible()
    return other
  }

  get card(): Locator {
    return this.page.getByTestId(`dc-card-${this.dcId}`)
  }

  field(testid: string): Locator {
    return this.card.getByTestId(testid)
  }

  async text(testid: string): Promise<string> {
    return (await this.field(testid).textContent()) ?? ''
  }

  async count(testid: string): Promise<number> {
    return Number(await this.text(testid))
  }

  /** Clicks an action button and waits for its result line to settle; returns that line. */
  async act(action: string): Promise<{ state: string; text: string }> {
    const out = this.page.getByTestId(`result-${action}`)
    await this.page.getByTestId(`btn-${action}`).click()
    await expect(out).not.toHaveAttribute('data-state', 'running', { timeout: 60_000 })
    return { state: (await out.getAttribute('data-state')) ?? '', text: (await out.textContent()) ?? '' }
  }

  /** Connect through the page; resolves with the key ids once the DC is ready and bound. */
  async connect(): Promise<{ perm: string; temp: string }> {
    const result = await this.act('connect')
    expect(result.state, result.text).toBe('ok')
    await this.expectReadyAndBound()
    return this.keyIds()
  }

  async expectReadyAndBound(): Promise<void> {
    await expect(this.field('dc-status')).toHaveText('ready')
    await expect(this.field('bound')).toHaveText('bound')
    await expect(this.field('perm-key-id')).toHaveText(KEY_ID)
    await expect(this.field('temp-key-id')).toHaveText(KEY_ID)
  }

  async keyIds(): Promise<{ perm: string; temp: string }> {
    return { perm: await this.text('perm-key-id'), temp: await this.text('temp-key-id') }
  }

  async setTraffic(on: boolean): Promise<void> {
    const btn = this.page.getByTestId('btn-traffic')
    if ((await btn.getAttribute('data-running')) !== String(on)) await btn.click()
    await expect(btn).toHaveAttribute('data-running', String(on))
  }

  async traffic(): Promise<TrafficCounts> {
    const n = async (id: string) => Number(await this.page.getByTestId(id).textContent())
    return { sent: await n('traffic-sent'), ok: await n('traffic-ok'), failed: await n('traffic-failed') }
  }

  async screenshot(info: TestInfo, name: string, fullPage = false): Promise<void> {
    const path = info.outputPath(`${name}.png`)
    await this.page.screenshot({ path, fullPage })
    await info.attach(name, { path, contentType: 'image/png' })
  }
}

/** Stops background calls and waits until every call sent has an outcome. */
export async function settleTraffic(demo: DemoPage): Promise<TrafficCounts> {
  await demo.setTraffic(false)
  await expect
    .poll(async () => {
      const t = await demo.traffic()
      return t.sent - t.ok - t.failed
    }, { timeout: 60_000 })
    .toBe(0)
  return demo.traffic()
}

/** Waits until `n` more background calls succeeded than `from` counted. */
export async function waitForOkCalls(demo: DemoPage, from: TrafficCounts, n: number): Promise<void> {
  await expect.poll(async () => (await demo.traffic()).ok, { timeout: 60_000 }).toBeGreaterThanOrEqual(from.ok + n)
}

/** "12s ago", "2m 18s ago" → seconds. */
export function secondsAgo(text: string): number {
  const m = /(?:(\d+)h )?(?:(\d+)m )?(\d+)s ago/.exec(text)
  if (!m) throw new Error(`no age in "${text}"`)
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3])
}

/** The server forgets the temp key; the next call meets a −404 and the client recovers. */
export async function loseTempKey(demo: DemoPage): Promise<void> {
  await demo.page.getByTestId('fault-forget-temp-key').click()
  await expect(demo.page.getByTestId('result-fault')).toHaveAttribute('data-state', 'ok')
  expect((await demo.act('get-config')).state).toBe('ok')
  await demo.expectReadyAndBound()
  await expect(demo.field('last-404')).not.toHaveText('none')
}

/** The server time offset the card shows, in seconds. */
export async function timeOffset(demo: DemoPage): Promise<number> {
  return parseFloat((await demo.text('time-offset')).replace('−', '-'))
}

/**
 * The key events list is newest first: going down, the time shown never moves forward
 * (modulo a midnight between two rows).
 */
export async function expectEventsNewestFirst(page: Page): Promise<void> {
  const shown = await page.locator('[data-testid="timeline-row"] .time').allTextContents()
  const secondsOfDay = shown.map((t) => t.split(':').reduce((acc, part) => acc * 60 + Number(part), 0))
  expect(shown.length).toBeGreaterThan(8)
  const backwards = secondsOfDay.slice(1).filter((below, i) => (secondsOfDay[i]! - below + 86_400) % 86_400 > 43_200)
  expect(backwards, shown.join(' ')).toEqual([])
}
