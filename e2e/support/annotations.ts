import type { TestInfo } from '@playwright/test'

/** Annotation types the conformance reporter reads. */
export const ANNOTATION = {
  case: 'conformance-case',
  recoveryMs: 'recovery-ms',
  lostCalls: 'lost-calls',
} as const

export function reportCase(info: TestInfo, name: string): void {
  info.annotations.push({ type: ANNOTATION.case, description: name })
}

export function reportRecovery(info: TestInfo, figures: { recoveryMs?: number; lostCalls?: number }): void {
  if (figures.recoveryMs !== undefined) info.annotations.push({ type: ANNOTATION.recoveryMs, description: String(Math.round(figures.recoveryMs)) })
  if (figures.lostCalls !== undefined) info.annotations.push({ type: ANNOTATION.lostCalls, description: String(figures.lostCalls) })
}
