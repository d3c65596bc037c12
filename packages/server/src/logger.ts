/**
 * Injected logger: the server never writes to stdout itself (only cli.ts does). Fields
 * must never carry key bytes; callers pass ids and codes only.
 */
export interface Logger {
  info(event: string, fields?: Record<string, string | number | boolean>): void
  warn(event: string, fields?: Record<string, string | number | boolean>): void
}

export const silentLogger: Logger = { info: () => {}, warn: () => {} }
