import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from '@playwright/test'
import type { ControlClient } from '@pfs-web/control-client'
import { control } from './control.ts'
import { serverDataDir } from './ports.ts'

// Finds key bytes where they must never be: the DOM, console, web storage, HTTP
// bodies, WebSocket frames, and (for temp keys) IndexedDB. The bytes come from the
// conformance server: perm keys from its data dir, temp keys from its control port
// (started with --expose-keys).

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** Needles for one key: whole-key encodings plus 16-byte windows, so a partial leak counts. */
export function needles(keyHex: string): string[] {
  const bytes = Buffer.from(keyHex, 'hex')
  const windows = [0, 64, 128, 192].filter((i) => i + 16 <= bytes.length).map((i) => toHex(bytes.subarray(i, i + 16)))
  return [keyHex.toLowerCase(), keyHex.toUpperCase(), bytes.toString('base64'), ...windows, ...windows.map((w) => w.toUpperCase())]
}

export function permKeyHexes(repoRoot: string, dataDir = serverDataDir): string[] {
  const rows = JSON.parse(readFileSync(resolve(repoRoot, dataDir, 'perm-keys.json'), 'utf8')) as { key: string }[]
  return rows.map((r) => r.key)
}

/** Temp keys the server holds right now; call it while they are alive. */
export async function tempKeyHexes(server: ControlClient = control): Promise<string[]> {
  const stats = await server.stats()
  const hexes = await Promise.all(stats.keys.filter((k) => k.kind === 'temp').map((k) => server.tempKeyHex(k.id)))
  return hexes.filter((h): h is string => h !== null)
}

export interface Haystacks {
  console: string[]
  http: string[]
  wsFrames: string[]
}

/** Starts recording what the page logs and what travels over its HTTP and WebSockets. */
export function record(page: Page): Haystacks {
  const h: Haystacks = { console: [], http: [], wsFrames: [] }
  page.on('console', (m) => h.console.push(m.text()))
  page.on('response', async (res) => {
    if (!['fetch', 'xhr'].includes(res.request().resourceType())) return
    h.http.push(res.request().postData() ?? '', await res.text().catch(() => ''))
  })
  page.on('websocket', (ws) => {
    const frame = (f: { payload: string | Buffer }) => h.wsFrames.push(typeof f.payload === 'string' ? f.payload : toHex(f.payload))
    ws.on('framesent', frame)
    ws.on('framereceived', frame)
  })
  return h
}

/** In the page (any driver's evaluate): web storage and cookies as one string. */
export function readWebStorage(): string {
  return JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })
}

/** In the page (any driver's evaluate): every IndexedDB value of its origin, bytes as hex. */
export async function readIndexedDb(): Promise<string> {
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  const flat = (v: unknown): string => {
    if (v instanceof Uint8Array) return hex(v)
    if (v instanceof ArrayBuffer) return hex(new Uint8Array(v))
    if (ArrayBuffer.isView(v)) return hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
    if (v instanceof CryptoKey) return `[CryptoKey ${v.type} extractable=${v.extractable}]`
    if (Array.isArray(v)) return v.map(flat).join(',')
    if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${flat(x)}`).join(';')
    return String(v)
  }
  const req = <T>(r: IDBRequest<T>) => new Promise<T>((ok, fail) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => fail(r.error))))
  const out: string[] = []
  for (const info of await indexedDB.databases()) {
    if (!info.name) continue
    const db = await req(indexedDB.open(info.name))
    for (const store of Array.from(db.objectStoreNames)) {
      const tx = db.transaction(store, 'readonly').objectStore(store)
      out.push(`${info.name}/${store}: ${flat(await req(tx.getAllKeys()))} => ${flat(await req(tx.getAll()))}`)
    }
    db.close()
  }
  return out.join('\n')
}

/** The page's DOM, web storage and cookies as one string. */
export async function pageText(page: Page): Promise<string> {
  return `${await page.content()}\n${await page.evaluate(readWebStorage)}`
}

/** Every IndexedDB value of the page's origin, bytes as hex, as one string. */
export function indexedDbText(page: Page): Promise<string> {
  return page.evaluate(readIndexedDb)
}

/** Which needles occur in which haystack, as `haystack: needle-prefix` lines. */
export function findLeaks(keys: string[], haystacks: Record<string, string>): string[] {
  const found: string[] = []
  for (const key of keys) {
    for (const needle of needles(key)) {
      for (const [name, text] of Object.entries(haystacks)) if (text.includes(needle)) found.push(`${name}: ${needle.slice(0, 12)}…`)
    }
  }
  return found
}
