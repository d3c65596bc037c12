/** A CtrStream call as a promise, for tests that compare whole outputs. Test-only. */
import type { CtrStream } from '../aes-ctr.ts'

export function ctrProcess(stream: CtrStream, data: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve) => stream.process(data, resolve))
}
