import { RpcError } from '@pfs-web/errors'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { typedCalls, type PfsCodec, type TypedResults } from './typed-calls.ts'

/** A codec of one result type: call() resolves to what decode returns. */
const textCodec = {
  encode: (request: string): Uint8Array => new TextEncoder().encode(request.padEnd(4)),
  decode: (bytes: Uint8Array): string => new TextDecoder().decode(bytes),
} satisfies PfsCodec<string>

type Req = { _: 'ping'; n: number } | { _: 'name' }
interface Results {
  ping: number
  name: string
}
/** A codec whose result depends on the request, declared as @pfs-web/mtcute does. */
class ByRequest implements PfsCodec<Req>, TypedResults {
  declare readonly request: Req
  declare readonly result: Results[this['request']['_']]
  encode(request: Req): Uint8Array {
    return Uint8Array.of(request._ === 'ping' ? request.n : 0, 0, 0, 0)
  }
  decode(bytes: Uint8Array, request: Req): unknown {
    return request._ === 'ping' ? (bytes[0] ?? 0) + 1 : 'pfs'
  }
}

describe('typedCalls', () => {
  it('types each call by its codec: decode’s return, or the declared result of that request', async () => {
    const echo = typedCalls(textCodec, async (bytes) => bytes)
    const text = await echo.call('ping')
    expectTypeOf(text).toEqualTypeOf<string>()
    expect(text).toBe('ping')
    const typed = typedCalls(new ByRequest(), async (bytes) => bytes)
    const n = await typed.call({ _: 'ping', n: 41 })
    expectTypeOf(n).toEqualTypeOf<number>()
    expect(n).toBe(42)
    const name = await typed.call({ _: 'name' })
    expectTypeOf(name).toEqualTypeOf<string>()
    expect(name).toBe('pfs')
  })

  it('invoke gets a copy of its own (it detaches what it moves) and the call’s options; its typed error is the call’s', async () => {
    const scratch = new Uint8Array(8)
    const codec: PfsCodec<number> = { encode: (n) => (scratch.fill(n), scratch.subarray(0, 4)), decode: () => null }
    const seen: { bytes: Uint8Array; timeoutMs: number | undefined }[] = []
    const calls = typedCalls(codec, async (bytes, options) => {
      seen.push({ bytes, timeoutMs: options?.timeoutMs })
      throw new RpcError(400, 'PEER_ID_INVALID')
    })
    await expect(calls.call(7, { timeoutMs: 500 })).rejects.toBeInstanceOf(RpcError)
    expect(seen).toEqual([{ bytes: Uint8Array.of(7, 7, 7, 7), timeoutMs: 500 }])
    expect(seen[0]?.bytes.buffer).not.toBe(scratch.buffer)
    expect(seen[0]?.bytes.byteLength).toBe(seen[0]?.bytes.buffer.byteLength)
  })

  it('a codec that encodes no bytes is refused BAD_REQUEST before anything is sent', async () => {
    let sent = 0
    const calls = typedCalls({ encode: () => 'x' as unknown as Uint8Array, decode: () => 0 } satisfies PfsCodec<number>, async (b) => (sent++, b))
    await expect(calls.call(1)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    expect(sent).toBe(0)
  })
})
