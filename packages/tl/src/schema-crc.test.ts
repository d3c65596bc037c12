import { describe, expect, it } from 'vitest'
import { TL_BUILTINS } from './generated/schema.ts'
import { TL_LAYER, TL_SCHEMA, constructorId, nameOfId } from './index.ts'
import { crc32, normalizeTlLine, tlLineId } from './tl-crc.ts'

describe('constructor ids (mtproto-tl.md §0 recipe)', () => {
  it.each([
    { line: 'invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;', norm: 'invokeWithLayer X:Type layer:int query:!X = X' },
    { line: 'msg_container#73f1f8dc messages:vector<%Message> = MessageContainer;', norm: 'msg_container messages:vector message = MessageContainer' },
  ])('§0 example: $norm', ({ line, norm }) => {
    expect(normalizeTlLine(line)).toBe(norm)
    expect(tlLineId(line)).toBe(parseInt(/#([0-9a-f]+)/.exec(line)?.[1] ?? '', 16))
  })

  it('§0 step 4: keeping %Message would give 0x29c1636d instead of 0x73f1f8dc', () => {
    const skipped = new TextEncoder().encode('msg_container messages:vector %Message = MessageContainer')
    expect(crc32(skipped)).toBe(0x29c1636d)
  })

  it('message (bare, no #id) computes 0x5bb8e511', () => {
    expect(constructorId('message')).toBe(0x5bb8e511)
  })

  it.each([...TL_SCHEMA, ...TL_BUILTINS].map((e) => ({ line: e.line, id: e.id })))('$line', ({ line, id }) => {
    expect(tlLineId(line)).toBe(id)
    const declared = /^[\w.]+#([0-9a-f]+)/.exec(line)?.[1]
    if (declared !== undefined) expect(parseInt(declared, 16)).toBe(id)
  })

  it('maps names and ids both ways', () => {
    expect(constructorId('rpc_result')).toBe(0xf35c6d01)
    expect(constructorId('auth.bindTempAuthKey')).toBe(0xcdd42a05)
    expect(nameOfId(0xf35c6d01)).toBe('rpc_result')
    expect(nameOfId(-0x0ca392ff)).toBe('rpc_result')
    expect(nameOfId(0x12345678)).toBeUndefined()
    expect(TL_LAYER).toBe(228)
  })
})
