/**
 * A page client and an engine in one Node process, joined by a MessageChannel as a
 * dedicated worker would be (exposeOn on one end, createPfsClient on the other), against a
 * conformance server the test started: what crosses is what crosses a real worker
 * boundary, structured-cloned. The key store keeps a copy of every key it is given, so a
 * test can look for their bytes. Test-only.
 */
import type { RunningServer } from '@pfs-web/server'
import { createEngine, exposeOn } from '@pfs-web/worker'
import { KeyStore, type KeyHandle, type KeyKind } from '../../worker/src/keys/key-store.ts'
import { engineOptions } from '../../worker/src/test-support/engine-options.ts'
import { nodeEnv } from '../../worker/src/test-support/node-env.ts'
import type { PfsClientOptions } from '../src/client.ts'

/** Copies of every perm and temp key the engine was given, by key id hex. */
export class CopyingKeyStore extends KeyStore {
  readonly copies = new Map<string, Uint8Array>()
  override add(dcId: number, kind: KeyKind, bytes: Uint8Array, createdAt: number, expiresAt: number | null): KeyHandle {
    const handle = super.add(dcId, kind, bytes, createdAt, expiresAt)
    this.copies.set(handle.idHex, bytes.slice())
    return handle
  }
}

/** Options for createPfsClient whose `worker` is an engine on DC 2 of `server`, and that engine's keys. */
export function nodeEngine(server: RunningServer): { options: PfsClientOptions; keys: CopyingKeyStore } {
  const keys = new CopyingKeyStore()
  const { port1, port2 } = new MessageChannel()
  exposeOn(port1, createEngine(nodeEnv(), { keys }))
  return { options: { ...engineOptions(server, 15_000), worker: port2 }, keys }
}
