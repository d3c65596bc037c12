import type { DcStateView, ErrorView, Last404View } from '@pfs-web/client'

// What the page has seen of one DC's errors, on the page's own clock. The views carry
// server times taken with whatever clock offset the worker had at that moment; after a
// skew the offset changes, so "how long ago" must not subtract a server time from a now
// built with the new offset. The page notes when it first saw each error and -404.

export interface DcHistory {
  /** The lastError the page is showing, and when it first arrived (local ms). */
  error: ErrorView | null
  errorSeenMs: number | null
  /** When the DC was next ready and bound after that error (local ms), or null. */
  recoveredMs: number | null
  last404: Last404View | null
  last404SeenMs: number | null
}

export const EMPTY_HISTORY: DcHistory = { error: null, errorSeenMs: null, recoveredMs: null, last404: null, last404SeenMs: null }

const sameError = (a: ErrorView | null, b: ErrorView | null): boolean =>
  a === b || (a !== null && b !== null && a.name === b.name && a.code === b.code && a.message === b.message)

const same404 = (a: Last404View | null, b: Last404View | null): boolean =>
  a === b || (a !== null && b !== null && a.at === b.at && a.cause === b.cause)

/**
 * The history after state `s` arrived at `nowMs`. An error is recovered from once a later
 * state shows the DC ready and bound; the state that brought the error does not count,
 * even if it was ready, because its recovery has not been seen yet.
 */
export function nextHistory(h: DcHistory, s: DcStateView, nowMs: number): DcHistory {
  const next = { ...h }
  if (!sameError(h.error, s.lastError)) {
    next.error = s.lastError
    next.errorSeenMs = s.lastError === null ? null : nowMs
    next.recoveredMs = null
  } else if (h.error !== null && h.recoveredMs === null && s.status === 'ready' && s.bound) {
    next.recoveredMs = nowMs
  }
  if (!same404(h.last404, s.last404)) {
    next.last404 = s.last404
    next.last404SeenMs = s.last404 === null ? null : nowMs
  }
  return next
}
