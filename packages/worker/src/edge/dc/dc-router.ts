/**
 * Sends each call to its DC and follows *_MIGRATE_X as policy/session/migration decides:
 * the home DC moves (and is saved), a file's parts go where the server said, and the user's
 * authorization is exported from home and imported on another DC before a user call goes
 * there. Transparent to the caller: one promise, one deadline, one callId for every hop.
 */
import type { RpcError } from '@pfs-web/errors'
import { deserializeObject, nameOfId, serializeObject, type TlObject } from '@pfs-web/tl/client'
import type { InvokeOptions, PoolName } from '../../api.ts'
import { EngineError } from '../../errors.ts'
import { fileLocationKey, forgetsImports, needsImport, needsUser, onCallFailure, rememberLocation } from '../../policy/session/migration.ts'

export interface RouterHost {
  /** One hop: the call on DC `dcId`'s `pool` connection, no migration; `method` names it. May throw at once. */
  send(request: Uint8Array, method: string, dcId: number, pool: PoolName | undefined, timeoutMs: number, callId?: string): Promise<Uint8Array>
  /** Hex id of the DC's perm key, loaded or made. */
  permKeyId(dcId: number): Promise<string>
  knownDc(dcId: number): boolean
  now(): number
  saveHome(dcId: number): void
}

/** The constructor's name, or its id in hex when the schema does not know it (an embedder's method). */
const nameOf = (bytes: Uint8Array): string => {
  const id = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true)
  return nameOfId(id) ?? `0x${id.toString(16)}`
}

export class DcRouter {
  /** The DC calls go to when the caller names none (api/datacenter: the user's DC). */
  home = 0
  readonly #host: RouterHost
  /** upload.getFile locations FILE_MIGRATE sent elsewhere → their DC (null, no location, is never a key). */
  readonly #locations = new Map<string | null, number>()
  /** DC → the perm key the user's authorization was settled for there (policy/session/migration needsImport). */
  readonly #auth = new Map<number, string>()
  readonly #importing = new Map<number, Promise<void>>()
  /** callIds of calls in flight here → cancelled: a cancelled call sends no further hop (undefined is never a key). */
  readonly #live = new Map<string | undefined, boolean>()

  constructor(host: RouterHost) {
    this.#host = host
  }

  setHome(dcId: number): void {
    if (dcId === this.home) return
    this.home = dcId
    // a new home holds its own authorization: every other DC is settled again from it
    this.#auth.clear()
    this.#host.saveHome(dcId)
  }

  cancel(callId: string): void {
    if (this.#live.has(callId)) this.#live.set(callId, true)
  }

  async call(request: Uint8Array, opts: InvokeOptions, timeoutMs: number): Promise<Uint8Array> {
    const h = this.#host
    // every hop and the import share the caller's deadline; one past it times out at once
    const deadline = h.now() + timeoutMs
    const method = nameOf(request)
    const loc = method === 'upload.getFile' ? fileLocationKey(request) : null
    const id = opts.callId
    let dc = this.#locations.get(loc) ?? opts.dcId ?? this.home
    if (id !== undefined) this.#live.set(id, false)
    try {
      for (let hops = 0; ; hops++) {
        const onHome = dc === this.home
        try {
          if (!onHome && needsUser(method)) await this.#authorize(dc, deadline - h.now())
          if (this.#live.get(id)) throw new EngineError('CANCELLED')
          const bytes = await h.send(request, method, dc, opts.pool, deadline - h.now(), id)
          if (forgetsImports(nameOf(bytes), onHome)) this.#auth.clear()
          return bytes
        } catch (err) {
          // the engine rejects with PfsErrors only; an RpcError is the one with code 303
          const { code, message } = err as RpcError
          const hop = onCallFailure(code, message, onHome, hops, h.knownDc)
          if (hop === null) throw err
          if (typeof hop === 'string') throw new EngineError(hop, message)
          if (hop.home) this.setHome(hop.dc)
          if (hop.remember && loc !== null) rememberLocation(this.#locations, loc, hop.dc)
          dc = hop.dc
        }
      }
    } finally {
      this.#live.delete(id)
    }
  }

  /** Export on home and import on `dc` unless done for its perm key: one run at a time per DC. */
  async #authorize(dc: number, timeoutMs: number): Promise<void> {
    const perm = await this.#host.permKeyId(dc)
    if (!needsImport(this.#auth.get(dc), perm)) return
    let run = this.#importing.get(dc)
    if (!run) {
      run = this.#import(dc, perm, timeoutMs).finally(() => this.#importing.delete(dc))
      this.#importing.set(dc, run)
    }
    return run
  }

  async #import(dc: number, permKeyId: string, timeoutMs: number): Promise<void> {
    const send = (obj: Extract<TlObject, { _: 'auth.exportAuthorization' | 'auth.importAuthorization' }>, to: number): Promise<Uint8Array> =>
      this.#host.send(serializeObject(obj), obj._, to, 'main', timeoutMs)
    let exported
    try {
      exported = deserializeObject(await send({ _: 'auth.exportAuthorization', dc_id: dc }, this.home))
    } catch (err) {
      // 401 from home (AUTH_KEY_UNREGISTERED): nobody is signed in, there is nothing to copy
      if ((err as RpcError).code !== 401) throw err
      this.#auth.set(dc, permKeyId)
      return
    }
    if (exported._ !== 'auth.exportedAuthorization') throw new EngineError('UNEXPECTED_RESULT')
    // any answer but an rpc_error is the import done (api/datacenter; ours is auth.authorization)
    await send({ _: 'auth.importAuthorization', id: exported.id, bytes: exported.bytes }, dc)
    this.#auth.set(dc, permKeyId)
  }
}
