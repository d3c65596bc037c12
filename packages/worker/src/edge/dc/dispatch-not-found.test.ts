/** A -404 on a lane's key, on fake ports: the view records its classified cause, the policy decides. */
import { describe, expect, it } from 'vitest'
import type { KeyEvent } from '../../api.ts'
import type { KeyHandle } from '../../keys/key-store.ts'
import type { TempKeyInfo, TempKeyState } from '../../policy/pfs/key-slots.ts'
import { NO_KEYS, type TempKeyEvent } from '../../policy/pfs/temp-key-policy.ts'
import { DcReport } from './dc-report.ts'
import { onKeyNotFound, type NotFoundHost } from './dispatch.ts'
import type { Lane } from './lane.ts'

const T = 1_700_000_000
const info = (id: string): TempKeyInfo => ({ id, startedAtMs: 0, lifetimeS: 60, expiresAt: T + 60, renewAt: T + 45, unusableAt: T + 55 })

function host(state: TempKeyState) {
  const steps: TempKeyEvent[] = []
  const events: KeyEvent[] = []
  const report = new DcReport(() => undefined)
  const dc: NotFoundHost = {
    hooks: { changed: () => undefined, keyEvent: (e) => void events.push(e), update: () => undefined },
    report,
    tempKeys: { state, step: (e) => void steps.push(e) },
    serverNowS: () => T + 10.7,
    event: (kind, key) => ({ dcId: 2, kind, keyId: key?.idHex ?? null, keyKind: 'temp', at: T + 10 }),
  }
  return { dc, steps, events, report }
}

const lane = (idHex: string) => ({ key: { idHex } as KeyHandle }) as Lane

describe('onKeyNotFound', () => {
  it('pfs §1.6: -404 on the current key with no bind on the wire is a server that forgot it', () => {
    const h = host({ ...NO_KEYS, current: info('aa') })
    onKeyNotFound(h.dc, lane('aa'))
    expect(h.report.last404).toEqual({ at: T + 10, cause: 'temp-key-forgotten' })
    expect(h.events.map((e) => e.kind)).toEqual(['not-found-404'])
    expect(h.report.lastError).toMatchObject({ code: -404 })
    expect(h.steps).toEqual([{ type: 'transport-404', keyId: 'aa' }])
  })

  it('-404 on a retiring key is that key\'s, not the server\'s memory of the current one', () => {
    const h = host({ ...NO_KEYS, current: info('bb'), retiring: [info('aa')] })
    onKeyNotFound(h.dc, lane('aa'))
    expect(h.report.last404?.cause).toBe('retiring-key-forgotten')
    expect(h.steps).toEqual([{ type: 'transport-404', keyId: 'aa' }])
  })
})
