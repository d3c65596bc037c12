import { describe, expect, it } from 'vitest'
import { FloodWaitError, PfsError, RpcError, TransportError, isPfsError } from './index.ts'

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

  it.each([
    { message: 'FLOOD_WAIT_42', seconds: 42 },
    { message: 'FLOOD_PREMIUM_WAIT_3', seconds: 3 },
  ])('FloodWaitError reads X of $message as seconds, and keeps it through plain data', ({ message, seconds }) => {
    const e = new FloodWaitError(420, message)
    expect(e).toBeInstanceOf(RpcError)
    expect(e).toMatchObject({ code: 420, seconds, name: 'FloodWaitError' })
    const rebuilt: FloodWaitError = Reflect.construct(PfsError, [420, JSON.parse(JSON.stringify(e)).message], FloodWaitError)
    expect(rebuilt.seconds).toBe(seconds)
  })
})
