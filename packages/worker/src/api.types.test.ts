/**
 * STYLE "Worker/client boundary": views never carry bytes or a CryptoKey. The only byte
 * results are API payloads (invoke, getFile) and raw updates, which are not key material.
 */
import { describe, expectTypeOf, it } from 'vitest'
import type { ConfigView, DcStateView, ErrorView, KeyEvent, KeyEventListener, NearestDcView, StateListener, WorkerApi } from './api.ts'

type Bytes = Uint8Array | ArrayBuffer | SharedArrayBuffer | DataView | CryptoKey

/** true when a Bytes value can sit anywhere inside T (fields, arrays, unions, promises). */
type HasBytes<T> = 0 extends 1 & T
  ? true
  : T extends Bytes
    ? true
    : T extends Promise<infer P>
      ? HasBytes<P>
      : T extends (...args: never[]) => unknown
        ? false
        : T extends readonly (infer E)[]
          ? HasBytes<E>
          : T extends object
            ? true extends { [K in keyof T]-?: HasBytes<T[K]> }[keyof T]
              ? true
              : false
            : false

/** Methods whose result is an API payload by design, not key material. */
type PayloadMethods = 'invoke' | 'getFile'
type ViewResults = { [K in Exclude<keyof WorkerApi, PayloadMethods>]: Awaited<ReturnType<WorkerApi[K]>> }

describe('HasBytes', () => {
  it('finds bytes at any depth, in arrays, unions and promises', () => {
    expectTypeOf<HasBytes<{ a: { b: Uint8Array[] } }>>().toEqualTypeOf<true>()
    expectTypeOf<HasBytes<{ a: string | ArrayBuffer | null }>>().toEqualTypeOf<true>()
    expectTypeOf<HasBytes<Promise<{ key?: CryptoKey }>>>().toEqualTypeOf<true>()
    expectTypeOf<HasBytes<{ id: string; at: number; tags: string[] }>>().toEqualTypeOf<false>()
  })
})

describe('WorkerApi views carry no key material', () => {
  it('state, key-event, config and error views have no byte fields', () => {
    expectTypeOf<HasBytes<DcStateView>>().toEqualTypeOf<false>()
    expectTypeOf<HasBytes<KeyEvent>>().toEqualTypeOf<false>()
    expectTypeOf<HasBytes<ConfigView>>().toEqualTypeOf<false>()
    expectTypeOf<HasBytes<NearestDcView>>().toEqualTypeOf<false>()
    expectTypeOf<HasBytes<ErrorView>>().toEqualTypeOf<false>()
    // The check itself bites: a view that gained a key field would fail the lines above.
    expectTypeOf<HasBytes<DcStateView & { permKey: Uint8Array | null }>>().toEqualTypeOf<true>()
  })

  it('no method result other than the payload methods contains bytes', () => {
    expectTypeOf<HasBytes<ViewResults>>().toEqualTypeOf<false>()
  })

  it('state and key-event listeners receive no bytes', () => {
    expectTypeOf<HasBytes<Parameters<StateListener>>>().toEqualTypeOf<false>()
    expectTypeOf<HasBytes<Parameters<KeyEventListener>>>().toEqualTypeOf<false>()
  })
})
