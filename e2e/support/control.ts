import { ControlClient, type FaultAction, type ServerStats } from '@pfs-web/server'
import { controlUrl } from './ports.ts'

/** The e2e run's conformance server, driven from Node (the page uses its own buttons). */
export const control = new ControlClient(controlUrl)

export async function clearFaults(): Promise<void> {
  await control.fault({ type: 'clear' } satisfies FaultAction)
}

export const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)

export async function permHandshakes(): Promise<number> {
  const stats: ServerStats = await control.stats()
  return total(stats.handshakes.perm)
}
