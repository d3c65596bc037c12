/**
 * @pfs-web/mtcute: a codec for @pfs-web/client's typed `call()` (issue #16) that speaks
 * @mtcute/tl's objects. Requests are written and answers read by mtcute's generated
 * maps and @mtcute/tl-runtime, so the client core carries no schema; the answer's type is
 * mtcute's own `tl.RpcCallReturn[request._]`, as in mtcute's client.
 *
 *   const client = createPfsClient({ ...options, codec: mtcuteCodec() })
 *   const config = await client.call({ _: 'help.getConfig' }) // tl.TypeConfig
 */
import type { PfsCodec, TypedResults } from '@pfs-web/client'
import type { tl } from '@mtcute/tl'
import { __tlReaderMap } from '@mtcute/tl/binary/reader.js'
import { __tlWriterMap } from '@mtcute/tl/binary/writer.js'
import { TlBinaryReader, TlBinaryWriter, type TlWriterMap } from '@mtcute/tl-runtime'

type ReaderMap = typeof __tlReaderMap
type WriterMap = typeof __tlWriterMap

export class MtcuteCodec implements PfsCodec<tl.RpcMethod>, TypedResults {
  /** Type-level only (TypedResults): the request a result is read for. */
  declare readonly request: tl.RpcMethod
  /** Type-level only: what `call(request)` resolves to. */
  declare readonly result: tl.RpcCallReturn[this['request']['_']]

  readonly #readers: ReaderMap
  readonly #writers: WriterMap

  /** Other maps (e.g. a newer @mtcute/tl's, or one with custom types) in place of @mtcute/tl's. */
  constructor(readers: ReaderMap = __tlReaderMap, writers: WriterMap = __tlWriterMap) {
    this.#readers = readers
    this.#writers = writers
  }

  encode(request: tl.RpcMethod): Uint8Array {
    // the generated map's declared shape is looser than the runtime's parameter type
    return TlBinaryWriter.serializeObject(this.#writers as unknown as TlWriterMap, request)
  }

  /** A method answering a bare vector (e.g. Vector<long>) is read by its own result reader, as mtcute does. */
  decode(bytes: Uint8Array, request: tl.RpcMethod): unknown {
    const reader = new TlBinaryReader(this.#readers, bytes)
    const custom = this.#readers._results[request._]
    return custom ? custom(reader) : reader.object()
  }
}

export function mtcuteCodec(): MtcuteCodec {
  return new MtcuteCodec()
}
