/**
 * The page's side of policy/session/lifecycle (issue #16): visibilitychange, freeze and
 * resume fire on the document, which the engine's worker cannot see, so they are forwarded
 * as lifecycle(kind). online/offline the worker hears on its own scope.
 */
import type { LifecycleKind } from '@pfs-web/worker'

/** Forwards the document's page events to `send`; returns what stops it. */
export function watchPage(send: (kind: LifecycleKind) => void): () => void {
  if (typeof document === 'undefined') return () => undefined
  const listeners: [string, () => void][] = [
    ['visibilitychange', () => send(document.visibilityState === 'hidden' ? 'hidden' : 'visible')],
    ['freeze', () => send('freeze')],
    ['resume', () => send('resume')],
  ]
  for (const [type, l] of listeners) document.addEventListener(type, l)
  return () => {
    for (const [type, l] of listeners) document.removeEventListener(type, l)
  }
}
