import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter'
import { ANNOTATION } from './annotations.ts'

// Writes e2e/report/conformance.json (one row per case: outcome, recovery time, lost
// calls, screenshots) and prints the same as a table. Specs report figures through
// annotations; their PNG attachments are copied to e2e/report/screenshots/, which,
// unlike test-results/, holds only the last run's key states.

export interface ConformanceRow {
  case: string
  title: string
  outcome: 'pass' | 'fail' | 'skipped'
  durationMs: number
  recoveryMs: number | null
  lostCalls: number | null
  error: string | null
  /** Paths relative to the report, e.g. `screenshots/rotation-rotated.png`. */
  screenshots: string[]
}

export interface ConformanceReport {
  date: string
  ok: boolean
  cases: ConformanceRow[]
}

function annotation(result: TestResult, test: TestCase, type: string): string | undefined {
  return (result.annotations.length ? result.annotations : test.annotations).find((a) => a.type === type)?.description
}

function numberOrNull(v: string | undefined): number | null {
  return v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v)
}

export default class ConformanceReporter implements Reporter {
  private readonly rows = new Map<string, ConformanceRow>()
  private readonly outputFile: string
  private readonly screenshotDir: string

  constructor(options: { outputFile?: string } = {}) {
    this.outputFile = resolve(dirname(new URL(import.meta.url).pathname), '..', options.outputFile ?? 'report/conformance.json')
    this.screenshotDir = join(dirname(this.outputFile), 'screenshots')
  }

  onBegin(): void {
    rmSync(this.screenshotDir, { recursive: true, force: true })
  }

  private keepScreenshots(caseName: string, result: TestResult): string[] {
    mkdirSync(this.screenshotDir, { recursive: true })
    return result.attachments.flatMap((a) => {
      if (a.contentType !== 'image/png' || !a.path) return []
      const file = join(this.screenshotDir, `${caseName}-${a.name}.png`.replace(/[^\w.-]+/g, '_'))
      copyFileSync(a.path, file)
      return [relative(dirname(this.outputFile), file)]
    })
  }

  printsToStdio(): boolean {
    return true
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const outcome = result.status === 'passed' ? 'pass' : result.status === 'skipped' ? 'skipped' : 'fail'
    const caseName = annotation(result, test, ANNOTATION.case) ?? test.title
    // Retries overwrite earlier attempts: the last result is the verdict.
    this.rows.set(test.id, {
      case: caseName,
      // [root, project, file, ...describe, title]: keep file onwards.
      title: test.titlePath().slice(2).join(' › '),
      outcome,
      durationMs: Math.round(result.duration),
      recoveryMs: numberOrNull(annotation(result, test, ANNOTATION.recoveryMs)),
      lostCalls: numberOrNull(annotation(result, test, ANNOTATION.lostCalls)),
      error: result.error?.message?.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0] ?? null,
      screenshots: this.keepScreenshots(caseName, result),
    })
  }

  onEnd(result: FullResult): void {
    const cases = [...this.rows.values()]
    if (cases.length === 0) return
    const report: ConformanceReport = { date: new Date().toISOString(), ok: result.status === 'passed', cases }
    mkdirSync(dirname(this.outputFile), { recursive: true })
    writeFileSync(this.outputFile, `${JSON.stringify(report, null, 2)}\n`)
    process.stdout.write(`\n${formatTable(cases)}\nconformance: ${this.outputFile}\n`)
  }
}

export function formatTable(rows: ConformanceRow[]): string {
  const header = ['case', 'result', 'recovery ms', 'lost calls', 'duration ms']
  const body = rows.map((r) => [r.case, r.outcome, r.recoveryMs ?? '—', r.lostCalls ?? '—', r.durationMs].map(String))
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n')
}
