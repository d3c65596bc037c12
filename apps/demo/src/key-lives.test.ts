import { describe, expect, it } from 'vitest'
import type { KeyEvent } from '@pfs-web/client'
import { NO_LIVES, foldKeyEvent, type KeyLife, type KeyLives } from './key-lives.ts'

type Step = [ms: number, kind: KeyEvent['kind'], keyId: string, detail?: string, keyKind?: 'perm' | 'temp']

function fold(steps: Step[]): KeyLives {
  return steps.reduce((s, [ms, kind, keyId, detail, keyKind]) => {
    const e: KeyEvent = { dcId: 2, kind, keyId, keyKind: keyKind ?? 'temp', at: 1_000_000 + ms / 1000 }
    if (detail !== undefined) e.detail = detail
    return foldKeyEvent(s, e, ms)
  }, NO_LIVES)
}

const life = (s: KeyLives, keyId: string): KeyLife | undefined => s.lives.find((l) => l.keyId === keyId)

const CONNECT: Step[] = [
  [0, 'created', 'p1', undefined, 'perm'],
  [100, 'created', 'a'],
  [150, 'bound', 'a'],
]

describe('foldKeyEvent: key lives from key events', () => {
  it('connect: the first bound temp key is in use from its bind', () => {
    const s = fold(CONNECT)
    expect(life(s, 'a')).toMatchObject({ createdMs: 100, boundMs: 150, inUseMs: 150, retiredMs: null, droppedMs: null })
    expect(life(s, 'p1')).toMatchObject({ keyKind: 'perm', createdMs: 0, boundMs: null, inUseMs: null })
    expect(s.inUse.get(2)).toBe('a')
  })

  it('rotation is make-before-break: the successor is bound while its predecessor is in use', () => {
    const s = fold([...CONNECT, [500, 'created', 'b'], [600, 'bound', 'b'], [700, 'rotated', 'b', 'replaces a'], [900, 'dropped', 'a']])
    expect(life(s, 'b')).toMatchObject({ boundMs: 600, inUseMs: 700 })
    expect(life(s, 'a')).toMatchObject({ retiredMs: 700, droppedMs: 900 })
    expect(s.inUse.get(2)).toBe('b')
  })

  it('a -404 marks the key and retires it; the recovery key gets a rebind mark and takes calls', () => {
    const s = fold([...CONNECT, [800, 'not-found-404', 'a'], [810, 'dropped', 'a'], [900, 'created', 'c'], [950, 'bound', 'c'], [960, 'recovered', 'c']])
    expect(life(s, 'a')).toMatchObject({ retiredMs: 800, droppedMs: 810, marks: [{ kind: '404', ms: 800 }] })
    expect(life(s, 'c')).toMatchObject({ boundMs: 950, inUseMs: 950, marks: [{ kind: 'rebind', ms: 960 }] })
    expect(s.inUse.get(2)).toBe('c')
  })

  it('logged out: every live key of the DC ends', () => {
    const s = fold([...CONNECT, [2000, 'logged-out', 'p1', undefined, 'perm']])
    expect(life(s, 'a')).toMatchObject({ retiredMs: 2000, droppedMs: 2000 })
    expect(life(s, 'p1')).toMatchObject({ retiredMs: null, droppedMs: 2000 })
    expect(s.inUse.has(2)).toBe(false)
  })

  it('leaves the state it was given untouched', () => {
    const before = fold(CONNECT)
    const copy = JSON.stringify(before.lives)
    fold([...CONNECT, [800, 'not-found-404', 'a']])
    foldKeyEvent(before, { dcId: 2, kind: 'dropped', keyId: 'a', keyKind: 'temp', at: 0 }, 999)
    expect(JSON.stringify(before.lives)).toBe(copy)
    expect(before.inUse.get(2)).toBe('a')
  })
})
