import { describe, expect, it } from 'vitest'
import { PendingCalls } from './pending-calls.ts'

describe('PendingCalls', () => {
  it('passes results and errors through and forgets settled calls', async () => {
    const calls = new PendingCalls()
    await expect(calls.track(async () => 7)).resolves.toBe(7)
    await expect(calls.track(() => Promise.reject(new Error('x')))).rejects.toThrow()
    expect(calls.size).toBe(0)
  })

  it('failAll rejects what hangs, and every later call, with the first failure', async () => {
    const calls = new PendingCalls()
    const hanging = calls.track(() => new Promise<never>(() => {}))
    const first = { code: 'CLOSED' }
    calls.failAll(first)
    calls.failAll({ code: 'LATER' })
    await expect(hanging).rejects.toBe(first)
    await expect(calls.track(async () => 1)).rejects.toBe(first)
    expect(calls.size).toBe(0)
  })
})
