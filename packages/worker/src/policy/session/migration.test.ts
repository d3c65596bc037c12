import { serializeObject } from '@pfs-web/tl'
import { describe, expect, it } from 'vitest'
import { fileLocationKey, MAX_HOPS, MAX_LOCATIONS, forgetsImports, needsImport, needsUser, onCallFailure, rememberLocation, type Hop } from './migration.ts'

const known = (dc: number): boolean => dc >= 1 && dc <= 5

describe('onCallFailure: where a call goes after an error (api/datacenter, api/errors 303 SEE_OTHER)', () => {
  it.each<{ rule: string; code?: number | string; message: string; onHome?: boolean; hops?: number; hop: Hop }>([
    { rule: 'PHONE_MIGRATE_4 on home: DC 4 becomes home, the call is resent there', message: 'PHONE_MIGRATE_4', hop: { dc: 4, home: true, remember: false } },
    { rule: 'NETWORK_MIGRATE_1 on home: DC 1 becomes home', message: 'NETWORK_MIGRATE_1', hop: { dc: 1, home: true, remember: false } },
    { rule: 'USER_MIGRATE_5 on home: DC 5 becomes home', message: 'USER_MIGRATE_5', hop: { dc: 5, home: true, remember: false } },
    { rule: 'USER_MIGRATE_5 from a DC that is not home routes that call only (home stays)', message: 'USER_MIGRATE_5', onHome: false, hop: { dc: 5, home: false, remember: false } },
    { rule: 'FILE_MIGRATE_3: this call goes to DC 3, its location is remembered, home stays', message: 'FILE_MIGRATE_3', hop: { dc: 3, home: false, remember: true } },
    { rule: 'STATS_MIGRATE_3 is the answer: the embedder sends stats.* and routes them', message: 'STATS_MIGRATE_3', hop: null },
    { rule: 'a DC with no address: UNKNOWN_DC, never a guess', message: 'FILE_MIGRATE_9', hop: 'UNKNOWN_DC' },
    { rule: `migration ${MAX_HOPS + 1} of one call: MIGRATE_LIMIT (no loop)`, message: 'FILE_MIGRATE_3', hops: MAX_HOPS, hop: 'MIGRATE_LIMIT' },
    { rule: `migration ${MAX_HOPS} still goes`, message: 'PHONE_MIGRATE_3', hops: MAX_HOPS - 1, hop: { dc: 3, home: true, remember: false } },
    { rule: '*_MIGRATE_X under a code other than 303 is the answer', code: 400, message: 'FILE_MIGRATE_3', hop: null },
    { rule: 'an unknown *_MIGRATE kind is the answer', message: 'CDN_MIGRATE_3', hop: null },
    { rule: 'a malformed DC number is the answer', message: 'FILE_MIGRATE_X', hop: null },
    { rule: 'any other rpc_error is the answer', code: 400, message: 'FILE_ID_INVALID', hop: null },
    { rule: '401 AUTH_KEY_UNREGISTERED is the answer (signed out: the embedder signs in)', code: 401, message: 'AUTH_KEY_UNREGISTERED', hop: null },
    { rule: 'a failure that is no rpc_error (timeout) is the answer', code: 'TIMEOUT', message: 'upload.getFile: TIMEOUT', hop: null },
  ])('$rule', ({ code = 303, message, onHome = true, hops = 0, hop }) => {
    expect(onCallFailure(code, message, onHome, hops, known)).toEqual(hop)
  })
})

describe('needsImport: export on home, import on the target, once per perm key of that DC (api/datacenter)', () => {
  it.each<{ rule: string; was: string | undefined; perm: string; needed: boolean }>([
    { rule: 'never settled: import', was: undefined, perm: 'a', needed: true },
    { rule: 'settled under this perm key (imported, or nobody signed in): nothing to do', was: 'a', perm: 'a', needed: false },
    { rule: "the DC's perm key was replaced: import again", was: 'a', perm: 'b', needed: true },
  ])('$rule', ({ was, perm, needed }) => {
    expect(needsImport(was, perm)).toBe(needed)
  })

  it.each<{ rule: string; answer: string; onHome: boolean; forget: boolean }>([
    { rule: 'a sign-in on home (auth.authorization): settle every DC again', answer: 'auth.authorization', onHome: true, forget: true },
    { rule: 'an import answered on another DC is no sign-in on home', answer: 'auth.authorization', onHome: false, forget: false },
    { rule: 'any other answer on home changes nothing', answer: 'updates.state', onHome: true, forget: false },
  ])('$rule', ({ answer, onHome, forget }) => {
    expect(forgetsImports(answer, onHome)).toBe(forget)
  })

  it.each([
    ['upload.getFile', true],
    ['updates.getState', true],
    ['0x12345678', true],
    ['help.getConfig', false],
    ['auth.importAuthorization', false],
    ['auth.sendCode', false],
  ] as const)('%s carries the user: %s', (method, user) => {
    expect(needsUser(method)).toBe(user)
  })
})

describe('file locations for FILE_MIGRATE', () => {
  const getFile = (id: bigint, offset: bigint): Uint8Array =>
    serializeObject({ _: 'upload.getFile', location: { _: 'inputDocumentFileLocation', id, access_hash: 7n, file_reference: new Uint8Array([1, 2]), thumb_size: '' }, offset, limit: 4096 })

  it('two parts of one file share the key; another file does not; a request too short has none', () => {
    const a = fileLocationKey(getFile(5n, 0n))
    expect(a).not.toBeNull()
    expect(fileLocationKey(getFile(5n, 1n << 20n))).toBe(a)
    expect(fileLocationKey(getFile(6n, 0n))).not.toBe(a)
    expect(fileLocationKey(new Uint8Array(3))).toBeNull()
  })

  it(`keeps at most ${MAX_LOCATIONS} locations, forgetting the least recently learned`, () => {
    const map = new Map<string | null, number>()
    for (let i = 0; i <= MAX_LOCATIONS; i++) rememberLocation(map, `f${i}`, 2)
    rememberLocation(map, 'f1', 3)
    rememberLocation(map, 'g', 4)
    expect(map.size).toBe(MAX_LOCATIONS)
    expect([map.has('f0'), map.has('f2'), map.get('f1'), map.get('g')]).toEqual([false, false, 3, 4])
  })
})
