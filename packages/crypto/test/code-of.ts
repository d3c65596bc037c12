/** The `code` of what `f` throws, or 'no error': lets a table compare outcomes directly. */
export function codeOf(f: () => unknown): unknown {
  try {
    f()
  } catch (e) {
    return (e as { code?: unknown }).code
  }
  return 'no error'
}
