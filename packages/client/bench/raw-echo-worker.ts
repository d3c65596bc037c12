/**
 * The thread-hop floor without Comlink: a worker that posts each message straight back.
 * Beside comlink-echo it splits a small call's boundary cost into the hop itself and what
 * Comlink adds on top.
 */
self.addEventListener('message', (event: MessageEvent) => self.postMessage(event.data))
