/**
 * The embedder's logger (issue #16). The worker already reports what happens to keys and
 * connections as KeyEvents (ids and times only, never key bytes); the page turns each into
 * one structured log line, so the worker carries no logging code of its own.
 */
import type { KeyEvent, KeyEventKind } from '@pfs-web/worker'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** A KeyEvent's kind, or 'client-error' for an error no call could return (PfsClientOptions.onError's). */
export type LogEvent = KeyEventKind | 'client-error'

/** KeyEvent's fields without `kind` (dcId, connection, keyId, keyKind, at, detail, seconds), or an error's name, code and message. */
export type LogFields = Readonly<Record<string, string | number | null | undefined>>

export type PfsLogger = (level: LogLevel, event: LogEvent, fields: LogFields) => void

const LEVELS: Partial<Record<KeyEventKind, LogLevel>> = {
  'handshake-started': 'debug',
  'not-found-404': 'warn',
  'flood-wait': 'warn',
  'logged-out': 'warn',
}

export function logKeyEvent(logger: PfsLogger): (event: KeyEvent) => void {
  return ({ kind, ...fields }) => logger(LEVELS[kind] ?? 'info', kind, fields)
}

export function logErrors(logger: PfsLogger, onError: (error: unknown) => void): (error: unknown) => void {
  return (error) => {
    const e = error instanceof Error ? error : new Error(String(error))
    try {
      logger('error', 'client-error', { name: e.name, message: e.message, code: (e as { code?: string | number }).code })
    } catch {
      // a logger that throws must not hide the error it was given
    }
    onError(error)
  }
}
