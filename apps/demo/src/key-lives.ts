import type { KeyEvent } from '@pfs-web/client'

// Each key's life, folded from the key events the page received, on the page's clock
// (ms when the event arrived): created → bound → in use → retired → dropped. What the
// key timeline chart draws.
//
//   created   a handshake made it
//   bound     auth.bindTempAuthKey succeeded (perm keys are never bound)
//   in use    calls go to it: the DC's first bound key, a rotation's successor, or the
//             key a -404 recovery moved to
//   retired   calls stopped going to it: replaced by a rotation or lost to a -404; it may
//             still finish calls sent on it until it is dropped
//   dropped   zeroed and forgotten
//
// Make-before-break shows as a successor bound while its predecessor is still in use.

export type MarkKind = '404' | 'rebind'

export interface KeyLife {
  dcId: number
  keyId: string
  keyKind: 'perm' | 'temp'
  createdMs: number
  boundMs: number | null
  inUseMs: number | null
  retiredMs: number | null
  droppedMs: number | null
  marks: { kind: MarkKind; ms: number }[]
}

export interface KeyLives {
  lives: readonly KeyLife[]
  /** Per DC, the temp key calls go to. */
  inUse: ReadonlyMap<number, string>
}

export const NO_LIVES: KeyLives = { lives: [], inUse: new Map() }

const REPLACES = /^replaces ([0-9a-f]+)$/

function lifeOf(lives: KeyLife[], e: KeyEvent, keyId: string, ms: number): KeyLife {
  const found = lives.find((l) => l.dcId === e.dcId && l.keyId === keyId)
  if (found) return found
  const life: KeyLife = { dcId: e.dcId, keyId, keyKind: e.keyKind, createdMs: ms, boundMs: null, inUseMs: null, retiredMs: null, droppedMs: null, marks: [] }
  lives.push(life)
  return life
}

/** The lives after event `e` arrived at `ms`. Returns new objects; `state` is untouched. */
export function foldKeyEvent(state: KeyLives, e: KeyEvent, ms: number): KeyLives {
  const lives = state.lives.map((l) => ({ ...l, marks: [...l.marks] }))
  const inUse = new Map(state.inUse)
  const retire = (keyId: string | undefined): void => {
    const old = keyId === undefined ? undefined : lives.find((l) => l.dcId === e.dcId && l.keyId === keyId)
    if (old && old.inUseMs !== null && old.retiredMs === null) old.retiredMs = ms
  }
  const use = (life: KeyLife): void => {
    if (inUse.get(e.dcId) !== life.keyId) retire(inUse.get(e.dcId))
    inUse.set(e.dcId, life.keyId)
    life.inUseMs ??= ms
  }
  if (e.keyId === null) return { lives, inUse }
  const life = lifeOf(lives, e, e.keyId, ms)
  switch (e.kind) {
    case 'created':
      break
    case 'bound':
      life.boundMs ??= ms
      // The first bound key of a DC takes calls at once; later ones wait for a switch.
      if (!inUse.has(e.dcId)) use(life)
      break
    case 'rotated': {
      const replaced = REPLACES.exec(e.detail ?? '')?.[1]
      retire(replaced)
      use(life)
      break
    }
    case 'recovered':
      use(life)
      life.marks.push({ kind: 'rebind', ms })
      break
    case 'not-found-404':
      life.marks.push({ kind: '404', ms })
      retire(life.keyId)
      if (inUse.get(e.dcId) === life.keyId) inUse.delete(e.dcId)
      break
    case 'dropped':
      life.droppedMs ??= ms
      retire(life.keyId)
      if (inUse.get(e.dcId) === life.keyId) inUse.delete(e.dcId)
      break
    case 'logged-out':
      for (const l of lives) {
        if (l.dcId !== e.dcId || l.droppedMs !== null) continue
        if (l.inUseMs !== null) l.retiredMs ??= ms
        l.droppedMs = ms
      }
      inUse.delete(e.dcId)
      break
  }
  return { lives, inUse }
}
