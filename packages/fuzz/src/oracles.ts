/**
 * What every case must hold (issue #18): typed errors only, no key bytes in anything the
 * engine lets out (error messages, state views, key events, console), and memory bounded.
 */
import { PfsError } from '@pfs-web/errors'

/** A rejection the engine may hand a caller: a PfsError subclass with the protocol's code. */
export function isTypedError(err: unknown): err is PfsError {
  return err instanceof PfsError && (typeof err.code === 'string' || typeof err.code === 'number')
}

const WINDOW = 8

/**
 * Finds auth key bytes in text: any 8 consecutive key bytes written as hex (either case) or
 * as base64 (any 12 consecutive bytes, from any offset). A key id is a hash of the key, not
 * key bytes, and matches nothing here.
 */
export class LeakScanner {
  private readonly hex = new Set<string>()
  private readonly b64 = new Set<string>()
  private known = 0

  /** Adds keys not seen before (the list only grows). */
  update(keys: readonly Uint8Array[]): void {
    for (const key of keys.slice(this.known)) {
      const h = Buffer.from(key).toString('hex')
      for (let i = 0; i + WINDOW <= key.length; i++) this.hex.add(h.slice(2 * i, 2 * (i + WINDOW)))
      for (let i = 0; i + 12 <= key.length; i++) this.b64.add(Buffer.from(key.subarray(i, i + 12)).toString('base64'))
    }
    this.known = keys.length
  }

  /** The first leaked window found in `text`, or null. */
  scan(text: string): string | null {
    for (const run of text.match(/[0-9a-fA-F]{16,}/g) ?? []) {
      const low = run.toLowerCase()
      for (let i = 0; i + 2 * WINDOW <= low.length; i++) {
        const w = low.slice(i, i + 2 * WINDOW)
        if (this.hex.has(w)) return w
      }
    }
    for (const run of text.match(/[A-Za-z0-9+/]{16,}/g) ?? []) {
      for (let i = 0; i + 16 <= run.length; i++) {
        const w = run.slice(i, i + 16)
        if (this.b64.has(w)) return w
      }
    }
    return null
  }
}

/** Everything written to the console while `run` goes, kept and not printed. */
export function captureConsole(into: string[]): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const
  const saved = methods.map((m) => console[m])
  for (const m of methods) console[m] = (...args: unknown[]) => void into.push(args.map(String).join(' '))
  return () => methods.forEach((m, i) => (console[m] = saved[i] as (typeof console)[typeof m]))
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name} ${String((err as { code?: unknown }).code)} ${err.message} ${err.stack ?? ''}`
  return String(err)
}
