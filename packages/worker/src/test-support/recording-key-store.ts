import { KeyStore, type KeyHandle, type KeyKind } from '../keys/key-store.ts'

/**
 * A KeyStore that remembers the temp keys it is given, so a test's man in the middle can
 * open and seal packets under them. The buffers are the store's own: once a key is dropped
 * they read as zeros. Test-only.
 */
export class RecordingKeyStore extends KeyStore {
  readonly temps: { idBytes: Uint8Array; bytes: Uint8Array }[] = []
  override add(dcId: number, kind: KeyKind, bytes: Uint8Array, createdAt: number, expiresAt: number | null): KeyHandle {
    const handle = super.add(dcId, kind, bytes, createdAt, expiresAt)
    if (kind === 'temp') this.temps.push({ idBytes: handle.idBytes, bytes })
    return handle
  }
}
