/**
 * The demo page in Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi.
 * Playwright 1.65 cannot drive Firefox ESR 153 (every newPage fails on
 * `emulation.setMediaFeaturesOverride`), so this mirrors support/demo-page.ts with
 * puppeteer's API: data-testid only, result lines read from the page.
 */
import { expect } from '@playwright/test'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'

export const FIREFOX = '/usr/bin/firefox-esr'

const KEY_ID = /^[0-9a-f]{16}$/

export function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    // Loopback only: no update, telemetry, captive-portal or safe-browsing traffic.
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
    },
  })
}

const sel = (testid: string): string => `[data-testid="${testid}"]`

export interface ActResult {
  state: string
  text: string
  /** The page's own timing, the "· N ms" its result line ends with. */
  ms: number | null
}

export class FirefoxDemo {
  private constructor(
    readonly page: Page,
    readonly dcId: number,
  ) {}

  static async open(page: Page, baseUrl: string): Promise<FirefoxDemo> {
    const config = (await (await fetch(`${baseUrl}/demo-config.json`)).json()) as { defaultDcId: number }
    await page.goto(`${baseUrl}/`)
    const demo = new FirefoxDemo(page, config.defaultDcId)
    await page.waitForSelector(sel(`dc-card-${demo.dcId}`), { visible: true })
    return demo
  }

  /** Text of an element, inside this DC's card unless `global`. */
  text(testid: string, global = false): Promise<string> {
    const path = global ? sel(testid) : `${sel(`dc-card-${this.dcId}`)} ${sel(testid)}`
    return this.page.$eval(path, (el) => el.textContent ?? '')
  }

  async count(testid: string): Promise<number> {
    return Number(await this.text(testid))
  }

  /** Clicks an action's button; resolves with its result line once it settled. */
  async act(action: string): Promise<ActResult> {
    const out = sel(`result-${action}`)
    // A result line keeps its last outcome: mark it so the wait sees this click's outcome.
    await this.page.$eval(out, (el) => el.setAttribute('data-state', 'idle'))
    await this.page.click(sel(`btn-${action}`))
    await this.page.waitForFunction(
      (s: string) => ['ok', 'error'].includes(document.querySelector(s)?.getAttribute('data-state') ?? ''),
      { timeout: 60_000 },
      out,
    )
    const { state, text } = await this.page.$eval(out, (el) => ({ state: el.getAttribute('data-state') ?? '', text: el.textContent ?? '' }))
    const ms = /· (\d+) ms$/.exec(text)?.[1]
    return { state, text, ms: ms === undefined ? null : Number(ms) }
  }

  async keyIds(): Promise<{ perm: string; temp: string }> {
    return { perm: await this.text('perm-key-id'), temp: await this.text('temp-key-id') }
  }

  async expectReadyAndBound(): Promise<void> {
    await expect.poll(() => this.text('dc-status')).toBe('ready')
    await expect.poll(() => this.text('bound')).toBe('bound')
    const keys = await this.keyIds()
    expect(keys.perm).toMatch(KEY_ID)
    expect(keys.temp).toMatch(KEY_ID)
  }

  async clickFault(fault: string): Promise<void> {
    await this.page.$eval(sel('result-fault'), (el) => el.setAttribute('data-state', 'idle'))
    await this.page.click(sel(`fault-${fault}`))
    await this.page.waitForFunction(() => document.querySelector('[data-testid="result-fault"]')?.getAttribute('data-state') === 'ok', {
      timeout: 30_000,
    })
  }
}
