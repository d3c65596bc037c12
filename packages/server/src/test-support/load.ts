import { connectPfs } from './pfs-client.ts'
import type { ClientTransportOptions } from './client-transport.ts'

export interface LoadResult {
  clients: number
  callsPerClient: number
  errors: number
  firstError: string | null
  seconds: number
  handshakes: number
  handshakesPerSecond: number
  calls: number
}

/** `clients` concurrent clients, each: perm + temp handshake, bind, then `calls` API calls. */
export async function runLoad(transport: ClientTransportOptions, rsaPem: string, clients: number, calls: number): Promise<LoadResult> {
  let errors = 0
  let firstError: string | null = null
  let done = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async () => {
      try {
        const c = await connectPfs(transport, rsaPem)
        for (let i = 0; i < calls; i++) {
          const r = await c.session.api(i % 2 === 0 ? { _: 'help.getConfig' } : { _: 'updates.getState' })
          if (r._ !== 'config' && r._ !== 'updates.state') throw new Error(`unexpected ${r._}`)
          done++
        }
        c.close()
      } catch (err) {
        errors++
        firstError ??= String(err)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  return {
    clients,
    callsPerClient: calls,
    errors,
    firstError,
    seconds,
    handshakes: clients * 2,
    handshakesPerSecond: (clients * 2) / seconds,
    calls: done,
  }
}
