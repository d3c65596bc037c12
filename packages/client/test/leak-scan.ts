/**
 * Searches everything a page can persist or send for secret byte strings: IndexedDB,
 * localStorage, sessionStorage, Cache Storage and recorded worker messages. A secret is
 * found as raw bytes, or inside a string as hex, base64 or latin1 text, which is how keys
 * usually leak into storage. With `minRun`, any run of that many consecutive secret bytes
 * counts, so a truncated or sliced key is found too.
 */
import type { RecordedMessage } from './recording-endpoint.ts'

export interface LeakHit {
  secret: string
  where: 'indexedDB' | 'localStorage' | 'sessionStorage' | 'cacheStorage' | 'messages' | 'logs'
  /** e.g. 'pfs-web/perm-keys/2' or 'messages[4]'. */
  location: string
}

export interface LeakScanOptions {
  messages?: readonly RecordedMessage[]
  /** Match any run of this many secret bytes (default: the whole secret). */
  minRun?: number
}

function latin1(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192))
  return s
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Every form in which `run` could sit inside a string or a byte buffer. */
function forms(secret: Uint8Array, minRun: number): { bytes: string[]; text: string[] } {
  const runs: Uint8Array[] = []
  for (let i = 0; i + minRun <= secret.length; i++) runs.push(secret.subarray(i, i + minRun))
  const bytes = runs.map(latin1)
  // base64 of a run depends on its alignment, so a whole-secret base64 is the only form
  // searched for; hex and latin1 text catch runs at any offset.
  const text = [...runs.map(hex), ...runs.map((r) => hex(r).toUpperCase()), ...bytes, btoa(latin1(secret))]
  return { bytes, text }
}

/** Calls `visit` on every string and byte buffer inside a structured value. */
function walk(value: unknown, visit: (kind: 'bytes' | 'text', content: string) => void, seen = new Set<object>()): void {
  if (typeof value === 'string') return visit('text', value)
  if (typeof value !== 'object' || value === null || seen.has(value)) return
  seen.add(value)
  if (value instanceof ArrayBuffer) return visit('bytes', latin1(new Uint8Array(value)))
  if (ArrayBuffer.isView(value)) return visit('bytes', latin1(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)))
  const items = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value)
  if (value instanceof Map || value instanceof Set || Array.isArray(value)) return items.forEach((v) => walk(v, visit, seen))
  for (const [k, v] of Object.entries(value)) {
    visit('text', k)
    walk(v, visit, seen)
  }
}

function idbRequest<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

async function indexedDbEntries(): Promise<{ location: string; value: unknown }[]> {
  const entries: { location: string; value: unknown }[] = []
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue
    const db = await idbRequest(indexedDB.open(name))
    try {
      for (const storeName of db.objectStoreNames) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName)
        const [keys, values] = await Promise.all([idbRequest(store.getAllKeys()), idbRequest(store.getAll())])
        keys.forEach((key, i) => entries.push({ location: `${name}/${storeName}/${String(key)}`, value: [key, values[i]] }))
      }
    } finally {
      db.close()
    }
  }
  return entries
}

function storageEntries(storage: Storage): { location: string; value: unknown }[] {
  return Object.keys(storage).map((key) => ({ location: key, value: [key, storage.getItem(key)] }))
}

async function cacheEntries(): Promise<{ location: string; value: unknown }[]> {
  if (typeof caches === 'undefined') return []
  const entries: { location: string; value: unknown }[] = []
  for (const cacheName of await caches.keys()) {
    const cache = await caches.open(cacheName)
    for (const request of await cache.keys()) {
      const response = await cache.match(request)
      const body = response ? new Uint8Array(await response.arrayBuffer()) : new Uint8Array(0)
      entries.push({ location: `${cacheName}/${request.url}`, value: [request.url, body] })
    }
  }
  return entries
}

export interface ScanSource {
  where: LeakHit['where']
  entries: { location: string; value: unknown }[]
}

/** Where in `sources` any secret (or, with `minRun`, any run of that many of its bytes) sits. */
export function findSecrets(secrets: Record<string, Uint8Array>, sources: readonly ScanSource[], minRun?: number): LeakHit[] {
  const hits: LeakHit[] = []
  for (const [secret, bytes] of Object.entries(secrets)) {
    const { bytes: byteForms, text: textForms } = forms(bytes, Math.min(minRun ?? bytes.length, bytes.length))
    for (const { where, entries } of sources) {
      for (const { location, value } of entries) {
        let found = false
        walk(value, (kind, content) => {
          if (found) return
          found = (kind === 'bytes' ? byteForms : textForms).some((f) => content.includes(f))
        })
        if (found) hits.push({ secret, where, location })
      }
    }
  }
  return hits
}

export async function scanForLeaks(secrets: Record<string, Uint8Array>, options: LeakScanOptions = {}): Promise<LeakHit[]> {
  const sources: ScanSource[] = [
    { where: 'indexedDB', entries: await indexedDbEntries() },
    { where: 'localStorage', entries: storageEntries(localStorage) },
    { where: 'sessionStorage', entries: storageEntries(sessionStorage) },
    { where: 'cacheStorage', entries: await cacheEntries() },
    { where: 'messages', entries: (options.messages ?? []).map((m, i) => ({ location: `messages[${i}] ${m.direction} ${m.channel}`, value: m.data })) },
  ]
  return findSecrets(secrets, sources, options.minRun)
}
