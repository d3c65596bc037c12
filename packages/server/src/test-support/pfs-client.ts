import { ClientTransport, type ClientTransportOptions } from './client-transport.ts'
import { clientHandshake, type ClientAuthKey } from './client-handshake.ts'
import { ClientSession } from './client-session.ts'

export interface PfsClient {
  perm: ClientAuthKey
  temp: ClientAuthKey
  session: ClientSession
  close(): void
}

/** Perm handshake, temp handshake and bind on one connection: the whole PFS start-up. */
export async function connectPfs(
  transport: ClientTransportOptions,
  rsaPem: string,
  opts: { dc?: number; expiresIn?: number; perm?: ClientAuthKey; legacy?: boolean } = {},
): Promise<PfsClient> {
  const dc = opts.dc ?? 2
  const t = await ClientTransport.open(transport)
  const legacy = opts.legacy ?? false
  const perm = opts.perm ?? (await clientHandshake(t, { rsaPem, dc, legacy }))
  const temp = await clientHandshake(t, { rsaPem, dc, legacy, expiresIn: opts.expiresIn ?? 86400 })
  const session = new ClientSession(t, temp)
  const ok = await session.bind(perm)
  if (ok._ !== 'boolTrue') throw new Error('bind did not answer boolTrue')
  return { perm, temp, session, close: () => t.close() }
}
