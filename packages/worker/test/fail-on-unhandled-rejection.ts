/**
 * Vitest setup for the Node project (issue #18): a promise rejected with nobody to catch it
 * fails the test it happened in, by name. Vitest alone reports such a rejection for the whole
 * run, attributed to whichever test was last; a send that throws into an unhandled promise
 * is an engine bug (run-handshake once waited out its timeout that way).
 */
import { afterEach, expect } from 'vitest'

const seen: unknown[] = []
process.on('unhandledRejection', (reason) => void seen.push(reason))

afterEach(async () => {
  // Node reports a rejection once the microtasks of the turn that rejected it have run
  await new Promise<void>((resolve) => setImmediate(resolve))
  const found = seen.splice(0)
  expect(found.map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r))), 'unhandled rejections during this test').toEqual([])
})
