import { describe, expect, it } from 'vitest'
import { SALT_PERIOD_S, SaltBook } from './salts.ts'

const T = 1_700_000_000
function book(): SaltBook {
  let n = 100n
  return new SaltBook(1n, T, () => n++)
}

describe('server salts (encryption.md §5 "Salt")', () => {
  it.each([
    { rule: '§5: the handshake salt is current at once', at: T, salt: 1n, want: true },
    { rule: '§5: it stays valid 30 min after its successor took over', at: T + 2 * SALT_PERIOD_S - 1, salt: 1n, want: true },
    { rule: '§5: then it is gone', at: T + 2 * SALT_PERIOD_S, salt: 1n, want: false },
    { rule: 'a salt the server never issued is not valid', at: T, salt: 7n, want: false },
  ])('$rule', ({ at, salt, want }) => expect(book().isValid(salt, at)).toBe(want))

  it('issue #13: a clock stepped back before every window → the book restarts at the clock, and the salt it announces is one it accepts', () => {
    const b = book()
    const earlier = T - 86_400
    expect(b.isValid(1n, earlier)).toBe(false)
    const current = b.current(earlier)
    expect(current).not.toBe(1n)
    expect(b.isValid(current, earlier)).toBe(true)
  })

  it('salt fault "now": the current salt and the announced future salts stop being valid at once; the new current one is', () => {
    const b = book()
    const future = b.upcoming(3, T).map((w) => w.salt)
    b.scheduleChange(T + 10)
    expect(b.isValid(1n, T + 9)).toBe(true)
    const fresh = b.current(T + 10)
    for (const old of future) expect(b.isValid(old, T + 10)).toBe(false)
    expect(future).not.toContain(fresh)
    expect(b.isValid(fresh, T + 10)).toBe(true)
  })

  it('salt fault cancelled before it is due (clear) → nothing changes', () => {
    const b = book()
    b.scheduleChange(T + 10)
    b.cancelChange()
    expect(b.isValid(1n, T + 20)).toBe(true)
    expect(b.current(T + 20)).toBe(1n)
  })
})
