/**
 * Typed calls through the embedder's own TL layer (issue #16): a codec turns a request
 * object into boxed TL bytes and an answer's bytes back into an object; the client only
 * carries bytes, so the core bundle holds no schema.
 */
import { PfsError } from '@pfs-web/errors'
import type { ClientInvokeOptions } from './client.ts'

/**
 * `encode(request)`: the request as boxed TL (its constructor id first). `decode(bytes,
 * request)`: the answer to `request`, e.g. a vector of ints, whose element type only the
 * request tells. Both may throw; the error is the call's.
 */
export interface PfsCodec<Request> {
  encode(request: Request): Uint8Array
  decode(bytes: Uint8Array, request: Request): unknown
}

/**
 * A codec whose result type depends on the request declares it on the type alone:
 * `declare readonly result: ResultOf<this['request']>` beside `declare readonly request:
 * Request`. CodecResult narrows `request` to the one passed to call() and reads `result`.
 */
export interface TypedResults {
  readonly request: unknown
  readonly result: unknown
}

export type CodecRequest<C> = C extends PfsCodec<infer R> ? R : never

/** What `call(request)` resolves to with codec C: its declared `result`, else what `decode` returns. */
export type CodecResult<C, R> = C extends TypedResults
  ? (C & { readonly request: R })['result']
  : C extends { decode(bytes: Uint8Array, request: never): infer T }
    ? T
    : never

export interface TypedCalls<C> {
  /**
   * `codec.encode(request)` goes out as `invoke` does (same options, same typed errors);
   * the answer comes back through `codec.decode`.
   */
  call<R extends CodecRequest<C>>(request: R, options?: ClientInvokeOptions): Promise<CodecResult<C, R>>
}

type Invoke = (request: Uint8Array, options?: ClientInvokeOptions) => Promise<Uint8Array>

export function typedCalls<C extends PfsCodec<never>>(codec: C, invoke: Invoke): TypedCalls<C> {
  const { encode, decode } = codec as unknown as PfsCodec<unknown>
  return {
    async call(request, options) {
      const bytes: unknown = encode.call(codec, request)
      if (!(bytes instanceof Uint8Array)) throw new PfsError('BAD_REQUEST', 'codec.encode must return a Uint8Array')
      // invoke moves (detaches) what it is given, and an encoder may hand back a view of a
      // buffer it reuses: the worker gets a copy of its own
      const answer = await invoke(bytes.slice(), options)
      return decode.call(codec, answer, request) as CodecResult<C, typeof request>
    },
  }
}
