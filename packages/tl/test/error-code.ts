import { TlError } from '../src/index.ts'

/** The TlError code `f` throws, the foreign error itself, or 'no error'. */
export function codeOf(f: () => unknown): unknown {
  try {
    f()
  } catch (e) {
    return e instanceof TlError ? e.code : e
  }
  return 'no error'
}

export async function asyncCodeOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e instanceof TlError ? e.code : e
  }
  return 'no error'
}
