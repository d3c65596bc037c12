import { ControlClient, type FaultAction, type ServerStats } from '@pfs-web/control-client'
import { controlUrl } from './ports.ts'

/** The e2e run's conformance server, driven from Node (the page uses its own buttons). */
export const control = new ControlClient(controlUrl)

export async function clearFaults(): Promise<void> {
  await control.fault({ type: 'clear' } satisfies FaultAction)
}

/**
 * A clean server for the next spec (issue #11): faults cleared, and temp keys, sessions
 * and handshakes forgotten as a restart does (perm keys stay, as on disk). Each spec opens
 * a fresh browser context, so no client of a previous spec holds a key it would miss.
 */
export async function cleanServer(): Promise<void> {
  await control.fault([{ type: 'clear' }, { type: 'restart' }] satisfies FaultAction[])
}

export const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)

export async function permHandshakes(): Promise<number> {
  const stats: ServerStats = await control.stats()
  return total(stats.handshakes.perm)
}
