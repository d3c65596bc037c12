import type { ServerStats } from '@pfs-web/control-client'
import { reportCase, reportRecovery } from '../support/annotations.ts'
import { control } from '../support/control.ts'
import { expectEventsNewestFirst, loseTempKey, secondsAgo, settleTraffic, timeOffset, waitForOkCalls, type DemoPage } from '../support/demo-page.ts'
import { expect, test } from '../support/fixtures.ts'

// Each server fault, injected through the page's own button while background calls
// run; the client must come back to ready+bound and serve calls again, and -404
// recovery resends (pfs §1.7), so no call may be lost. Recovery time
// runs from the click to the end of the first call made after it (or of the rotation
// that meets the fault); lost calls are background calls that rejected.

interface FaultCase {
  fault: string
  /** What makes the client meet the fault. */
  trigger: 'get-config' | 'rotate-now'
  temp: 'changed' | 'any'
  /** Runs after connect, before background calls start. */
  before?: (demo: DemoPage) => Promise<void>
  /** Server stats are cumulative over the run: compare before and after. */
  check?: (demo: DemoPage, before: ServerStats, after: ServerStats) => Promise<void>
  /** Server-wide faults that would leak into later specs are cleared through the page. */
  clearAfter?: boolean
  /** Runs once the fault is cleared. */
  afterClear?: (demo: DemoPage) => Promise<void>
}

const CASES: FaultCase[] = [
  {
    fault: 'forget-temp-key', trigger: 'get-config', temp: 'changed',
    check: async (demo) => {
      await expect(demo.page.getByTestId('timeline-count-not-found-404')).not.toHaveText('0')
      await expect(demo.field('last-404')).not.toHaveText('none')
    },
  },
  {
    fault: 'storm-404', trigger: 'get-config', temp: 'any',
    check: async (demo, before, after) => {
      expect((after.transportErrors['-404'] ?? 0) - (before.transportErrors['-404'] ?? 0)).toBeGreaterThan(1)
      await expect(demo.field('last-404')).not.toHaveText('none')
    },
  },
  {
    fault: 'bind-error', trigger: 'rotate-now', temp: 'changed',
    check: async (_demo, before, after) => {
      const failed = (s: ServerStats) => s.binds.failed.TEMP_AUTH_KEY_ALREADY_BOUND ?? 0
      expect(failed(after) - failed(before)).toBe(1)
    },
  },
  { fault: 'restart-server', trigger: 'get-config', temp: 'changed' },
  {
    // encryption.md §5: answers to our own requests resync the clock; the page shows it.
    // The page keeps a -404's age and its event list on its own clock through the jump and
    // back (issue #14): an offset that moved 120 s must not age an event by 120 s.
    fault: 'clock-skew', trigger: 'get-config', temp: 'any', clearAfter: true,
    before: loseTempKey,
    check: async (demo) => {
      await expect.poll(() => timeOffset(demo)).toBeGreaterThan(100)
      expect((await demo.act('rotate-now')).state).toBe('ok')
      expect(secondsAgo(await demo.text('last-404'))).toBeLessThan(100)
    },
    afterClear: async (demo) => {
      await expect.poll(async () => {
        await demo.act('get-config')
        return Math.abs(await timeOffset(demo))
      }).toBeLessThan(10)
      expect((await demo.act('rotate-now')).state).toBe('ok')
      expect(secondsAgo(await demo.text('last-404'))).toBeLessThan(100)
      await expectEventsNewestFirst(demo.page)
    },
  },
]

for (const c of CASES) {
  test(`fault ${c.fault}: client recovers, temp key ${c.temp}, perm key kept`, async ({ page, demo }, info) => {
    reportCase(info, `fault:${c.fault}`)
    const before = await demo.connect()
    await c.before?.(demo)
    await demo.setTraffic(true)
    await waitForOkCalls(demo, await demo.traffic(), 2)

    const statsBefore = await control.stats()
    const injectedAt = Date.now()
    await page.getByTestId(`fault-${c.fault}`).click()
    await expect(page.getByTestId('result-fault')).toHaveAttribute('data-state', 'ok')
    const outcome = await demo.act(c.trigger)
    const recoveryMs = Date.now() - injectedAt
    await demo.screenshot(info, `after-${c.fault}`)
    expect(outcome.state, outcome.text).toBe('ok')

    await demo.expectReadyAndBound()
    const after = await demo.keyIds()
    if (c.temp === 'changed') expect(after.temp).not.toBe(before.temp)
    expect(after.perm).toBe(before.perm)
    await waitForOkCalls(demo, await demo.traffic(), 3)
    await c.check?.(demo, statsBefore, await control.stats())

    const traffic = await settleTraffic(demo)
    reportRecovery(info, { recoveryMs, lostCalls: traffic.failed })
    expect(traffic.failed).toBe(0)
    if (c.clearAfter) {
      await page.getByTestId('fault-clear').click()
      await expect(page.getByTestId('result-fault')).toHaveAttribute('data-state', 'ok')
      await expect(demo.act('get-config')).resolves.toMatchObject({ state: 'ok' })
      await c.afterClear?.(demo)
    }
  })
}
