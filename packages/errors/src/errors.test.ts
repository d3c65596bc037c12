import { describe, expect, it } from 'vitest'
import { PfsError, RpcError, TransportError, isPfsError } from './index.ts'

describe('PfsError family', () => {
  it('keeps the protocol code and the subclass name', () => {
    const e = new RpcError(401, 'AUTH_KEY_PERM_EMPTY')
    expect(e).toBeInstanceOf(PfsError)
    expect(e.code).toBe(401)
    expect(e.message).toBe('AUTH_KEY_PERM_EMPTY')
    expect(e.name).toBe('RpcError')
    expect(isPfsError(e)).toBe(true)
    expect(isPfsError(new Error('x'))).toBe(false)
  })

  it('serialises to plain data that can cross a thread boundary', () => {
    const e = new TransportError(-404, 'auth key not found')
    expect(JSON.parse(JSON.stringify(e))).toEqual({ name: 'TransportError', code: -404, message: 'auth key not found' })
  })
})
